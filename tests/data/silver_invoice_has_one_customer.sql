-- An order (invoice) belongs to one customer: orders takes its customer_id with min(), which would
-- hide a second one. Returns the invoices whose purchase lines name more than one customer.
-- Local to the invoice (scope_by): an incremental build checks the invoices its changed lines
-- touched, all of their lines old and new (docs/storage.md, "Tests local to a key").
{{ config(scope_by='invoice_no') }}

select
    invoice_no,
    count(distinct customer_id)                             as customers,
    string_agg(distinct customer_id, ', ')                  as customer_ids
from {{ ref('order_lines') }}
group by invoice_no
having count(distinct customer_id) > 1
