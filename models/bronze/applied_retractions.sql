-- Bronze: which build applied each retracted batch (strata_meta.applied_retractions, written by
-- the runner when a build that rebuilt every model reading the batches is published). A batch
-- retracted in landing but not here is pending: incremental models recompute what it touched.

with source as (

    select * from {{ source('strata_meta', 'applied_retractions') }}

),

renamed as (

    select
        batch_id::bigint          as batch_id,
        build_id::bigint          as build_id,
        applied_at::timestamptz   as applied_at

    from source

)

select * from renamed
