-- Bronze: one row per file (or generator run) loaded into landing, as recorded by the loader.
-- Silver reads lines of batches whose status is 'loaded' or 'retracted' (marked, counting for nothing).

with source as (

    select * from {{ source('landing', 'load_batches') }}

),

renamed as (

    select
        batch_id::bigint          as batch_id,
        source_file::text         as source_file,
        file_sha256::text         as file_sha256,
        format::text              as format,
        status::text              as status,
        started_at::timestamptz   as started_at,
        finished_at::timestamptz  as finished_at,
        lines_read::bigint        as lines_read,
        lines_loaded::bigint      as lines_loaded,
        lines_rejected::bigint    as lines_rejected,

        -- npm run load -- --retract: when, by whom and why the batch was withdrawn
        retracted_at::timestamptz as retracted_at,
        retracted_by::text        as retracted_by,
        retracted_why::text       as retracted_why

    from source

)

select * from renamed
