-- Bronze: the true archetype of each synthetic customer, written by the demo-data generator.
-- Only used to score how well the k-means segments recover known groups; empty for real data.

with source as (

    select * from {{ source('landing', 'synthetic_archetypes') }}

),

renamed as (

    select
        customer_id::text  as customer_id,
        archetype::text    as archetype,
        batch_id::bigint   as batch_id

    from source

)

select * from renamed
