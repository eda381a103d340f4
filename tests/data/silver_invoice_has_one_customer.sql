-- An order (invoice) belongs to one customer: orders takes its customer_id with min(), which would
-- hide a second one. Returns the invoices whose purchase lines name more than one customer.
-- Local to the invoice (scope_by): an incremental build checks the invoices its changed lines
-- touched, all of their lines old and new (docs/storage.md, "Tests local to a key").
-- The distinct (invoice, customer) pairs first, by hashing, then the invoices with more than one:
-- a count(distinct customer_id) per invoice sorted every purchase line by invoice and customer
-- (87.9 s of a 10 M full build, 13.2 s alone against 5.0 s this way; docs/benchmarks.md).
{{ config(scope_by='invoice_no') }}

with pairs as (

    select invoice_no, customer_id
    from {{ ref('order_lines') }}
    where customer_id is not null
    group by invoice_no, customer_id

),

shared as (

    select invoice_no
    from pairs
    group by invoice_no
    having count(*) > 1

)

select
    pairs.invoice_no,
    count(*)                                                as customers,
    string_agg(pairs.customer_id, ', ' order by pairs.customer_id) as customer_ids
from pairs
where pairs.invoice_no in (select shared.invoice_no from shared)
group by pairs.invoice_no
