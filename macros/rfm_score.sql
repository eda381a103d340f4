{#-
  rfm_score(column, better): a 1-to-5 quintile score of `column` across all rows, 5 the best.

  score = 1 + floor(5 × w / n), where w is the number of rows with a strictly worse value and n the
  number of rows. Equivalently 1 + floor(5 × (1 − cume_dist())) with cume_dist taken over the
  ordering best first: the score is the quintile in which a value's group of equal values begins.

  Why not ntile(5): ntile cuts the ordered rows into five equal piles, so two customers with the
  same value can land in different piles (35% of customers have exactly one order and ntile
  would give them F = 1 or F = 2 depending on row order). Here equal values always get equal
  scores.

  Why the quintile where the group begins, not where it ends (ceil(5 × cume_dist()) over worst
  first): the one-order customers are the worst 35%, so "where it ends" would give them all F = 2
  and leave F = 1 empty, and the rule table's FM 1 segments (New Customers, Promising, About To
  Sleep, Lost) would lose their members. "Where it begins" always gives the worst value 1.

  Integer arithmetic (rank() − 1 is w) keeps the quintile boundaries exact; cume_dist() returns a
  double, and 5 × (1 − 0.8) is not exactly 1 in floating point.

  better: 'higher' (frequency, monetary) or 'lower' (recency_days).
-#}
{% macro rfm_score(column, better='higher') -%}
(1 + (5 * (rank() over (order by {{ column }} {{ 'asc' if better == 'higher' else 'desc' }}) - 1)) / count(*) over ())::integer
{%- endmacro %}
