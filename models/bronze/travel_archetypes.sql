-- Bronze: the true archetype of each synthetic traveller (generate --domain travel). Only used to
-- score how well traveller segments recover known groups; empty for real data.

with source as (

    select * from {{ source('landing', 'travel_archetypes') }}

),

renamed as (

    select
        'tt-' || user_id::text  as customer_id,
        user_id::bigint         as user_id,
        archetype::text         as archetype,
        batch_id::bigint        as batch_id

    from source

)

select * from renamed
