-- Bronze: one row per file (or generator run) loaded into landing, as recorded by the loader.
-- Silver reads only lines of batches whose status is 'loaded'.

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
        lines_rejected::bigint    as lines_rejected

    from source

)

select * from renamed
