{{ config(materialized='ephemeral') }}

-- Batches retracted (npm run load -- --retract) that no published build has applied yet. The
-- incremental silver models recompute what their lines touched while a batch is here: a build
-- that fails or is not published leaves it here for the next one, and doing it twice changes
-- nothing. Ephemeral: inlined into the models that read it.

-- The rule is macros/pending_retraction_batches.sql, written in as a literal array by the runner;
-- read here from load_batches again so that this stays a relation of the landing database (as
-- Citus plans it) with the planner's estimate taken from the literal.
select batches.batch_id
from {{ ref('load_batches') }} as batches
where batches.batch_id = any ({{ pending_retraction_batches() }})
