-- Bronze: the airline loyalty programme's members (Customer Loyalty History) exactly as they
-- landed, renamed to the project's vocabulary. Nothing is dropped, trimmed or corrected here:
-- the cleaning rules live in silver (stg_airline_members).

with source as (

    select * from {{ source('landing', 'airline_members') }}

),

renamed as (

    select
        -- lineage: which load, file and line this row came from
        batch_id::bigint                as batch_id,
        source_file::text               as source_file,
        source_line::bigint             as source_line,
        loaded_at::timestamptz          as loaded_at,

        -- the member as landed
        loyalty_number::integer         as loyalty_number,
        country::text                   as country,
        province::text                  as province,
        city::text                      as city,
        postal_code::text               as postal_code,
        gender::text                    as gender,
        education::text                 as education,
        salary::numeric                 as salary,
        marital_status::text            as marital_status,
        loyalty_card::text              as loyalty_card,
        clv::numeric                    as clv,
        enrollment_type::text           as enrollment_type,
        enrollment_year::integer        as enrollment_year,
        enrollment_month::integer       as enrollment_month,
        cancellation_year::integer      as cancellation_year,
        cancellation_month::integer     as cancellation_month

    from source

)

select * from renamed
