-- Silver, source-neutral: cancelled and returned product lines of every source, one row per
-- line, with positive quantities and amounts (what came back). They feed each customer's
-- return rate. Kept out of order_lines, so they never lower or raise a purchase measure.
--
-- A returned line has a customer, is no duplicate and is a product (postage and fee refunds are
-- not returned goods). Its kind:
--   cancellation: a line of a cancellation invoice (Online Retail: invoice number starting with C)
--   return:       a negative quantity on an ordinary invoice
-- Returns are not matched to the purchase they undo: many undo purchases made before the data
-- begins, and a line-level match would need a product, price and time rule of its own.

-- line_key is text here: each source keys its lines its own way (retail a 64-bit content hash,
-- travel and airline a uuid), and the union needs one type.

with retail as (

    select
        'retail_order_lines'::text  as source,
        batch_id,
        source_file,
        source_line,
        line_key::text as line_key,
        line_status                 as return_kind,
        -- invoice_no for every cancellation and return (they have one), and the distribution
        -- column on Citus: as in order_lines
        invoice_key as invoice_no,
        customer_id,
        stock_code,
        description,
        abs(quantity)               as returned_quantity,
        unit_price,
        abs(line_amount)            as returned_amount,
        invoiced_at                 as returned_at,
        country
    from {{ ref('stg_retail_order_lines') }}
    where line_status in ('cancellation', 'return')

),

travel as (

    select
        'stg_travel_order_lines'::text  as source,
        batch_id,
        source_file,
        source_line,
        line_key::text as line_key,
        line_status                     as return_kind,
        invoice_no,
        customer_id,
        stock_code,
        description,
        abs(quantity)                   as returned_quantity,
        unit_price,
        abs(line_amount)                as returned_amount,
        invoiced_at                     as returned_at,
        country
    from {{ ref('stg_travel_order_lines') }}
    where line_status = 'cancellation'

),

-- a new source: a CTE like `retail` over its staging model, added to `unioned` with union all

unioned as (

    select * from retail
    union all
    select * from travel

)

select * from unioned
