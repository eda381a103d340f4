{{ config(materialized='ephemeral') }}

-- Batches retracted (npm run load -- --retract) that no published build has applied yet. The
-- incremental silver models recompute what their lines touched while a batch is here: a build
-- that fails or is not published leaves it here for the next one, and doing it twice changes
-- nothing. Ephemeral: inlined into the models that read it.

select batches.batch_id
from {{ ref('load_batches') }} as batches
where batches.status = 'retracted'
  and not exists (
      select 1 from {{ ref('applied_retractions') }} as applied
      where applied.batch_id = batches.batch_id
  )
