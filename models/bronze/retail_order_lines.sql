-- Bronze: order lines in the Online Retail layout exactly as they landed, renamed to the
-- project's vocabulary. Nothing is dropped, trimmed or corrected here: every cleaning rule
-- lives in silver (stg_retail_order_lines), where it is written down with its reason.

with source as (

    select * from {{ source('landing', 'order_lines') }}

),

renamed as (

    select
        -- lineage: which load, file and line this row came from
        batch_id::bigint               as batch_id,
        source_file::text              as source_file,
        source_line::bigint            as source_line,
        loaded_at::timestamptz         as loaded_at,

        -- the line as landed
        invoice_no::text               as invoice_no,
        stock_code::text               as stock_code,
        description::text              as description,
        quantity::integer              as quantity,
        invoice_date::timestamp        as invoiced_at,
        unit_price::numeric            as unit_price,
        customer_id::text              as customer_id,
        country::text                  as country,
        line_total::numeric            as line_total,

        -- the invoice as staging trims it, '' when there is none (written by the loader; Citus
        -- distributes landing and staging by it: migrations/13_order_lines_invoice_key.sql)
        invoice_key::text              as invoice_key

    from source

)

select * from renamed
