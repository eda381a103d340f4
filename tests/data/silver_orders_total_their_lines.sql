-- Every order totals its purchase lines exactly: one row of orders per invoice of order_lines, with
-- the same number of lines, items and amount (numeric sums, no rounding). gold_totals_match_silver
-- compares gold's orders and revenue with orders, so together they tie gold to the lines.
-- Returns the invoices that differ. Local to the invoice (scope_by): an incremental build checks
-- the invoices its changed lines touched (docs/storage.md, "Tests local to a key").
{{ config(scope_by='invoice_no') }}

with line_totals as (

    select invoice_no, count(*) as lines, sum(quantity) as items, sum(line_amount) as amount
    from {{ ref('order_lines') }}
    group by invoice_no

),

order_totals as (

    select invoice_no, lines, items, order_amount as amount
    from {{ ref('orders') }}

)

select
    coalesce(l.invoice_no, o.invoice_no)    as invoice_no,
    l.lines                                 as line_count,
    o.lines                                 as order_lines,
    l.items                                 as line_items,
    o.items                                 as order_items,
    l.amount                                as line_amount,
    o.amount                                as order_amount
from line_totals as l
full join order_totals as o on o.invoice_no = l.invoice_no
where l.invoice_no is null
   or o.invoice_no is null
   or l.lines <> o.lines
   or l.items is distinct from o.items
   or l.amount is distinct from o.amount
