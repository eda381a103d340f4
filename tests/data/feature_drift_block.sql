-- Blocks publishing when a customer feature or a segment mix moved more than var
-- drift_psi_block since the published build (off unless set; 0.25 is the usual "significant
-- shift" line: --vars '{drift_psi_block: 0.25}'). A build stopped here publishes nothing; if the
-- shift is real, rebuild without the var (or with a higher one) to accept it.
{%- set limit = var('drift_psi_block', none) %}

select kind, name, psi, ks
from {{ ref('feature_drift') }}
{%- if limit is none %}
where false
{%- else %}
where psi > {{ limit }}
{%- endif %}
