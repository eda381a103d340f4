{{
    config(
        materialized='incremental',
        unique_key='batch_id',
        incremental_strategy='delete+insert'
    )
}}

-- Silver: how many staged Online Retail-layout lines each batch has in each line_status, one row
-- per batch and status. gold.data_quality_counts sums these instead of counting every staged line
-- each time it is read; its data test read the view on every build, and that count of 9.9 M
-- staged and landed lines was 4.5 s of the 16.0 s of test queries in a 1% batch on 10 M lines
-- (docs/benchmarks.md, session 10): a cost that grew with history, not with the batch.
--
-- Incremental (delete+insert on batch_id: every row of a recounted batch is replaced, so a status
-- a batch no longer has leaves with them; batch_id is not unique here, one row per status): a
-- build recounts the batches whose staged lines it may have changed, from all their lines:
--   - the batches newer than any counted here (staging reads a batch once, when its load finished);
--   - while a retraction is pending, every batch with a line on an invoice of the retracted
--     batches. Staging writes the retracted batch's lines again, and ranks again the lines with
--     the same content as one of them (one of those may now be the first occurrence); the same
--     content has the same invoice (models/silver/stg_retail_order_lines.sql), so those lines are
--     on these invoices. More batches than that may be recounted, never fewer; a recount is exact.
-- After editing the seed non_product_codes, build with --full-refresh (as staging says).

{%- set recount = recount_batches('stg_retail_order_lines', 'invoice_key', per_model=false) | trim %}

with

counted as (

    select
        batch_id,
        line_status,
        count(*)    as lines
    from {{ ref('stg_retail_order_lines') }}
    {% if is_incremental() %}
    -- The batches to recount (macros/recount_batches.sql, shared with staged_row_counts), as a
    -- literal array: from a sub-select it scanned all 9.9 M staged lines for a 1% batch on
    -- 10 M lines (2.5 s); with the literal it reads the batch through staging's unique index,
    -- which starts with batch_id
    where batch_id = any ({{ recount }})
    {% endif %}
    group by batch_id, line_status

)

select * from counted
