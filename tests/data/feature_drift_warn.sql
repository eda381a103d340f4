{{ config(severity='warn') }}
-- Warns when a customer feature or a segment mix moved more than var drift_psi_warn (default
-- 0.1, the usual "some shift" line of the population stability index) since the published
-- build. Returns the drifted rows; see gold.feature_drift.

select kind, name, psi, ks
from {{ ref('feature_drift') }}
where psi > {{ var('drift_psi_warn', 0.1) }}
