{{
    config(
        materialized='incremental',
        unique_key='invoice_no',
        incremental_strategy='delete+insert',
        tombstone_column='is_tombstone',
        indexes=[
            {'columns': ['invoice_no'], 'unique': true},
            {'columns': ['customer_id']},
            {'columns': ['last_batch_id']},
            {'columns': ['ordered_at']}
        ]
    )
}}

-- Silver, source-neutral: one row per order (invoice) with at least one purchase line.
--
-- Incremental (delete+insert on invoice_no): a build recomputes only the invoices that have
-- purchase lines in batches newer than any this table has seen, from all their lines, and
-- replaces those rows. An invoice split across two batches is therefore still one correct row,
-- and the result equals a full rebuild. The invoices of a batch retracted since the last build
-- are recomputed the same way; one left without a purchase line is removed (a tombstone row).

with

{% if is_incremental() %}
{#- The invoices to recompute, as a literal array the runner computes just before the statement
    (a marked value, as macros/watermark.sql; the watermarks and retracted batches inside it are
    written in first). Why a literal: PostgreSQL compares a column with `= any` of a constant array
    through a hash table, and with an array from a sub-select one element after another. When the
    airline arrived (177,973 new invoices beside Online Retail's) every line read was compared with
    each of them: a build of orders and its parents took 28.7 s for this node, 6.5 s with the
    literal (docs/benchmarks.md, session 11). Which invoices:
      - the lines new since this table's newest batch, and those whose customer profile (their
        country) was loaded again since: an airline member's newer export (none on Online Retail
        or TravelTide: profile_batch_id is null there). One subquery, not two legs of the union
        below: on Citus, two reads of order_lines as legs of a union were each collected whole on
        the coordinator before their filter (docs/scale-out.md);
      - the invoices of a batch retracted since the last build. -#}
{%- set changed -%}
/*strata:value*/(select coalesce(array_agg(distinct t.invoice_no), '{}'::text[]) from (select invoice_no from (select invoice_no from {{ ref('order_lines') }} where batch_id > {{ watermark('last_batch_id') }} union all select invoice_no from {{ ref('order_lines') }} where profile_batch_id > {{ watermark('last_batch_id') }}) as new_lines union select invoice_no from {{ ref('retracted_lines') }} where batch_id = any ({{ pending_retraction_batches() }}) and invoice_no is not null) as t)/*strata:end*/
{%- endset %}
changed_invoices as (

    select unnest({{ changed | trim }}) as invoice_no

),
{% endif %}

lines as (

    select *
    from {{ ref('order_lines') }}
    {% if is_incremental() %}
    -- = any (a literal array), not in (select …): pushed into each leg of order_lines' union as
    -- an index condition; a semi-join over the union read every line (as in customers.sql)
    where invoice_no = any ({{ changed | trim }})
    {% endif %}

),

orders as (

    select
        invoice_no,
        -- an invoice belongs to one customer (tested: silver_invoice_has_one_customer)
        min(customer_id)                as customer_id,
        min(source)                     as source,

        -- the order's time is its first line's: a few invoices' lines span a minute or two
        min(invoiced_at)                as ordered_at,
        min(country)                    as country,

        count(*)                        as lines,
        sum(quantity)                   as items,
        count(distinct stock_code)      as products,
        sum(line_amount)                as order_amount,

        -- the newest batch with a line of this order, or with the profile that gave its
        -- country: the incremental watermark
        greatest(max(batch_id), max(profile_batch_id)) as last_batch_id

    from lines
    group by invoice_no

),

final as (

    select orders.*{% if is_incremental() %}, false as is_tombstone{% endif %}
    from orders

    {% if is_incremental() %}
    union all

    -- a changed invoice with no purchase line left (all were in a retracted batch): a row that
    -- only deletes (tombstone_column), so the invoice leaves orders as a full rebuild would have it
    select changed_invoices.invoice_no, null, null, null, null, null, null, null, null, null, true
    from changed_invoices
    where not exists (select 1 from orders where orders.invoice_no = changed_invoices.invoice_no)
    {% endif %}

)

select * from final
