-- Gold: one row per segment (RFM and k-means) with what to do, why, and the value at stake, for
-- the report's recommendations block. The playbook is the seed segment_playbook, edited by
-- marketers; the value comes from value_at_risk.

with segments as (

    select segment_kind, segment, customers, expected_clv_12m, value_at_risk, do_nothing_loss, value_unit
    from {{ ref('value_at_risk') }}
    where segment_kind in ('rfm', 'kmeans')

),

playbook as (

    select segment_kind, segment as playbook_segment, action, rationale
    from {{ ref('segment_playbook') }}

),

matched as (

    -- RFM segments by exact name; k-means names are generated ("Lapsed high spenders (frequent)"),
    -- so the longest playbook name that starts the segment's name applies
    select distinct on (segments.segment_kind, segments.segment)
        segments.*,
        playbook.playbook_segment,
        playbook.action,
        playbook.rationale
    from segments
    left join playbook
        on playbook.segment_kind = segments.segment_kind
        and (
            playbook.playbook_segment = segments.segment
            or (segments.segment_kind = 'kmeans' and starts_with(segments.segment, playbook.playbook_segment))
        )
    order by segments.segment_kind, segments.segment, length(playbook.playbook_segment) desc nulls last

),

final as (

    select
        segment_kind,
        segment,
        playbook_segment,
        coalesce(action, 'No playbook entry: add a row to seeds/segment_playbook.csv.') as action,
        rationale,
        customers,
        expected_clv_12m,
        value_at_risk,
        do_nothing_loss,
        value_unit
    from matched

)

select * from final
