-- Gold: how the number of k-means segments was chosen, one row per candidate k of the fit behind
-- segment_centres (its build's row of strata_meta.segment_fits): inertia for an elbow plot, the
-- silhouette and Davies–Bouldin index the rule compares, the smallest segment's share, and which
-- k was chosen. The rule is in docs/segments.md §4. The metrics were measured during the search,
-- on search_sample_size customers of the fitted sample with search_restarts restarts per k.

with centres as (

    -- every centre row carries the build that fitted it
    select distinct build_id
    from {{ ref('segment_centres') }}

),

fit as (

    select f.*
    from {{ source('strata_meta', 'segment_fits') }} as f
    join centres as c on c.build_id = f.build_id

),

candidates as (

    select
        fit.build_id,
        (c ->> 'k')::integer                            as k,
        (c ->> 'chosen')::boolean                       as chosen,
        (c ->> 'inertia')::double precision             as inertia,
        (c ->> 'silhouette')::double precision          as silhouette,
        (c ->> 'davies_bouldin')::double precision      as davies_bouldin,
        (c ->> 'smallest_share')::double precision      as smallest_share,
        fit.search_sample_size,
        fit.search_restarts,
        fit.fitted_at
    from fit
    cross join lateral jsonb_array_elements(fit.candidates) as c

)

select * from candidates
