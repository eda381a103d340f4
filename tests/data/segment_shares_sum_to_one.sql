-- Each set of shares must sum to 1 (within 1e-9, for the rounding of numeric division): the
-- customer and revenue shares of each segment_kind in segment_contribution and of the k-means
-- segments in segment_profiles. Returns the sets that do not.

with sums as (

    select
        'segment_contribution ' || segment_kind as shares_of,
        sum(customer_share)                     as customer_shares,
        sum(revenue_share)                      as revenue_shares
    from {{ ref('segment_contribution') }}
    group by segment_kind

    union all

    select 'segment_profiles', sum(customer_share), sum(revenue_share)
    from {{ ref('segment_profiles') }}

)

select *
from sums
where abs(customer_shares - 1) > 1e-9
   or abs(revenue_shares - 1) > 1e-9
