{#-
  same_line_content(a, b): whether two order lines (aliases of rows of stg_retail_order_lines or
  its candidates) have the same content: the same 64-bit content key and every content column
  equal, nulls equal to nulls. The key is a hash, so equal keys are only a candidate match; the
  columns decide. Staging's duplicate rule and its re-ranking after a retraction both use it.
-#}
{% macro same_line_content(a, b) -%}
{{ a }}.line_key = {{ b }}.line_key
        and {{ a }}.invoice_no is not distinct from {{ b }}.invoice_no
        and {{ a }}.stock_code is not distinct from {{ b }}.stock_code
        and {{ a }}.description is not distinct from {{ b }}.description
        and {{ a }}.quantity is not distinct from {{ b }}.quantity
        and {{ a }}.invoiced_at is not distinct from {{ b }}.invoiced_at
        and {{ a }}.unit_price is not distinct from {{ b }}.unit_price
        and {{ a }}.customer_id is not distinct from {{ b }}.customer_id
        and {{ a }}.country is not distinct from {{ b }}.country
        and {{ a }}.line_amount is not distinct from {{ b }}.line_amount
{%- endmacro %}
