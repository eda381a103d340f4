{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['batch_id', 'source_line', 'invoice_key'],
        indexes=[
            {'columns': ['batch_id', 'source_line', 'invoice_key'], 'unique': true},
            {'columns': ['customer_id']},
            {'columns': ['invoice_key', 'invoice_no']},
            {'columns': ['line_key'], 'where': "line_status not in ('duplicate', 'retracted')"}
        ],
        sql_header="set local random_page_cost = 1.1"
    )
}}

-- Silver staging for the Online Retail layout (landing.order_lines): every landed line of every
-- loaded batch, trimmed and typed, with a line_status naming either 'purchase' or the rule that
-- set the line aside. Nothing is deleted, so each rule's effect can be counted:
--     select line_status, count(*) from silver.stg_retail_order_lines group by 1;
-- The source-neutral models order_lines and returns select from here by line_status.
--
-- Incremental (delete+insert on batch_id, source_line; with invoice_key, which follows from the
-- line, because on Citus the key must hold the distribution column): a build reads only the batches newer than
-- the newest batch already here. Landed lines never change, and a line's status depends only on
-- the line itself and on lines loaded before it, so adding new batches gives exactly the rows a
-- full rebuild would. (It also depends on the seed non_product_codes: after editing the seed,
-- build with --full-refresh.) A batch retracted since the last build (npm run load -- --retract)
-- is the one change to old lines: its lines are written again as 'retracted', and the later
-- copies of its first occurrences are ranked again (one of them is now the first).
-- sql_header: this statement is planned with random_page_cost 1.1 (PostgreSQL's default 4 is for
-- disks that seek). At 4 the duplicate look-up below hashed every held line instead of probing
-- the line_key index once the batch passed about 2% of the history: 0.82 s for 13,172 Online
-- Retail lines (0.68 s of it hashing 558,159 held lines), and 21.0 s for a 250,058-line batch
-- on 10 M lines against 4.0 s for a 99,113-line one (8.7–9.3 s with it). Only here: in the run that
-- set it for every statement, customers took 40.0 s instead of 17.9 s (docs/benchmarks.md).
-- The indexes serve the models downstream: orders and customers look up the lines of the
-- invoices and customers that new batches touched, and every watermark reads batch_id. The
-- partial index on line_key holds the first occurrence of each content (of batches not retracted): the duplicate check of an
-- incremental build looks up only the new lines' keys in it, so its cost grows with the batch,
-- not with the history. (Not unique: line_key is a 64-bit hash, so two different contents may
-- share one; the check compares the content itself.)
-- A Citus cluster may distribute landing and this table by invoice_key, the trimmed invoice the
-- loader writes (docs/scale-out.md, "Landing and staging by invoice"): every comparison of lines
-- below is within one invoice and says so with `invoice_key =` (Citus runs a window or join on
-- the workers only when it is on the distribution column itself), so the whole statement runs
-- shard by shard. invoice_key follows from invoice_no: these conditions change no result.

with read_batches as (

    -- Rule: read only batches whose load finished (status 'loaded'), or that were retracted after
    -- it (status 'retracted': their lines are kept here, marked, so they can still be counted). A
    -- batch still loading, or one that failed half way, may hold part of its file; once a later
    -- batch has been read the watermark below has passed it and its remaining lines would never
    -- be read. (This relies on loads finishing in batch_id order: the loader runs one at a time.)
    select batch_id, status = 'retracted' as retracted
    from {{ ref('load_batches') }}
    where status in ('loaded', 'retracted')

),

landed as (

    select lines.*, batches.retracted
    from {{ ref('retail_order_lines') }} as lines
    join read_batches as batches on batches.batch_id = lines.batch_id
    {% if is_incremental() %}
    -- only the batches this table has not seen yet; the runner writes the watermark in as a
    -- literal (macros/watermark.sql), so the planner finds them through landing's batch_id index
    where lines.batch_id > {{ watermark('batch_id') }}
    {% endif %}

),

cleaned as (

    select
        batch_id,
        source_file,
        source_line,
        loaded_at,
        retracted,
        -- already trimmed by the loader as invoice_no is below, '' for none (the distribution column)
        invoice_key,

        -- Rule: trim stray white space from the ends of text and treat an empty text as missing
        -- (113,452 Online Retail descriptions carry leading or trailing spaces), so the same
        -- product, customer or country is the same value on every line.
        nullif(btrim(invoice_no, e' \t\r\n'), '')       as invoice_no,
        nullif(btrim(stock_code, e' \t\r\n'), '')       as stock_code,
        nullif(btrim(description, e' \t\r\n'), '')      as description,
        nullif(btrim(customer_id, e' \t\r\n'), '')      as customer_id,
        nullif(btrim(country, e' \t\r\n'), '')          as country,

        quantity,
        unit_price,
        line_total,
        invoiced_at,

        -- a line's amount: the file's own line total when it has one, else quantity × unit price
        coalesce(line_total, quantity * unit_price)         as line_amount

    from landed

),

keyed as (

    select
        batch_id, source_file, source_line, loaded_at, retracted, invoice_key,
        invoice_no, stock_code, description, customer_id, country,
        quantity, unit_price, line_amount, invoiced_at,
        -- The line's content key, to find exact duplicates: a 64-bit hash of every landed column
        -- except the lineage ones (batch, file, line number, load time), after trimming.
        -- hash_record_extended hashes each value with its type's own hash function, with no
        -- conversion to text (8× cheaper than the md5 of the row's text it replaces: 0.6 s
        -- against 4.6 s over the Online Retail file). Equal content gives an equal key; two
        -- different contents may share a key (rarely), so the duplicate rule below compares the
        -- content itself and uses the key only to find candidates. (The stored line_amount stands
        -- in for line_total in those comparisons; the key covers line_total.)
        hash_record_extended(row(
            invoice_no, stock_code, description, quantity, invoiced_at,
            unit_price, customer_id, country, line_total
        ), 0) as line_key
    from cleaned

),

{% if is_incremental() %}
withdrawn as not materialized (

    -- the lines held here of the batches retracted since the last build that applied
    -- retractions: written again below as 'retracted'. The batches are a literal array
    -- (macros/pending_retraction_batches.sql), usually empty, so the planner knows this holds no
    -- rows and the duplicate look-up below probes the index per new line instead of hashing every
    -- earlier line (a sub-select here was estimated at 201,888 rows on Online Retail).
    -- Not materialized: read three times, PostgreSQL would compute it once into a work table,
    -- which Citus makes an intermediate result on the coordinator; everything reading it (the
    -- re-ranked lines, the new lines unioned with them, the duplicate look-up) was then planned
    -- there too, and the look-up copied every held line to the coordinator (docs/scale-out.md,
    -- "Retail staging's incremental look-up"). Inlined, the whole statement runs shard by shard.
    select held.*
    from {{ this }} as held
    where held.batch_id = any ({{ pending_retraction_batches() }})

),

reranked as (

    -- Lines held here with the same content as a withdrawn line: with it gone, the first of them
    -- (by batch, then file line) may be a first occurrence now, so they are ranked again,
    -- together with the new lines. Found through the invoice (same content, same invoice), by the
    -- index on (invoice_key, invoice_no); lines without an invoice number (they land, and are
    -- 'incomplete' unless they repeat an earlier line) through the same index's nulls, in a branch
    -- of their own so that the first keeps its index look-up. (The index leads with invoice_key
    -- for order_lines and returns, which read invoice_key as the invoice.)
    select
        held.batch_id, held.source_file, held.source_line, held.loaded_at, false as retracted,
        held.invoice_key, held.invoice_no, held.stock_code, held.description, held.customer_id, held.country,
        held.quantity, held.unit_price, held.line_amount, held.invoiced_at, held.line_key,
        true as reranking
    from {{ this }} as held
    where held.line_status <> 'retracted'
      and held.batch_id <> all ({{ pending_retraction_batches() }})
      and exists (
          select 1 from withdrawn
          where withdrawn.invoice_key = held.invoice_key
            and withdrawn.invoice_no = held.invoice_no
            and {{ same_line_content('withdrawn', 'held') }}
      )
    union all
    select
        held.batch_id, held.source_file, held.source_line, held.loaded_at, false as retracted,
        held.invoice_key, held.invoice_no, held.stock_code, held.description, held.customer_id, held.country,
        held.quantity, held.unit_price, held.line_amount, held.invoiced_at, held.line_key,
        true as reranking
    from {{ this }} as held
    where held.invoice_no is null
      and held.line_status <> 'retracted'
      and held.batch_id <> all ({{ pending_retraction_batches() }})
      and exists (
          select 1 from withdrawn
          where withdrawn.invoice_key = held.invoice_key
            and withdrawn.invoice_no is null
            and {{ same_line_content('withdrawn', 'held') }}
      )

),
{% endif %}

candidates as (

    -- reranking: the line is held here and ranked again (above); new lines are not
    select keyed.*, false as reranking from keyed
    {% if is_incremental() %}
    union all
    select * from reranked
    {% endif %}

),

ranked as (

    select
        candidates.*,
        -- 1 for the first line with this content among this build's lines (by batch, then file
        -- line); retracted lines are ranked apart and never count. The partition starts with the
        -- key, so the sort compares 64-bit integers and reaches the text columns only for lines
        -- that share a key. (The key before `retracted`: a leading boolean that every line shares
        -- sent each comparison on to a second column and lost PostgreSQL's fast path for a leading
        -- integer key; sorting the Online Retail lines took 1.05 s per process against 0.14 s,
        -- docs/benchmarks.md.) Equal content has an equal invoice_key: partitioning by it too changes
        -- nothing here, and lets Citus run the window per shard when staging is distributed by it.
        row_number() over (
            partition by
                candidates.line_key, candidates.retracted, candidates.invoice_key, candidates.invoice_no, candidates.stock_code,
                candidates.description, candidates.quantity, candidates.invoiced_at, candidates.unit_price,
                candidates.customer_id, candidates.country, candidates.line_amount
            order by candidates.batch_id, candidates.source_line
        ) as occurrence,
        {% if is_incremental() %}
        -- An earlier first occurrence counts unless lines with this content are being ranked
        -- again: then every held line with it is among the candidates (re-ranked lines are all the
        -- held lines with a withdrawn line's content), so row_number above decides, and the
        -- match found below is one of those candidates itself.
        earlier.line_key is not null
            and not bool_or(candidates.reranking) over (
                partition by
                    candidates.line_key, candidates.retracted, candidates.invoice_key, candidates.invoice_no, candidates.stock_code,
                    candidates.description, candidates.quantity, candidates.invoiced_at, candidates.unit_price,
                    candidates.customer_id, candidates.country, candidates.line_amount
            ) as seen_before
        {% else %}
        false as seen_before
        {% endif %}
    from candidates
    {% if is_incremental() %}
    -- Content already held from an earlier batch: the first occurrence with the same key and the
    -- same content, looked up in the partial index on line_key (one probe per new line; the
    -- condition on line_status is the index's own). At most one row matches: a content has one
    -- first occurrence. Lines ranked again above are not "earlier": they are ranked with these
    -- (seen_before, above, says so after the join rather than with a `not exists` over the
    -- re-ranked lines in the join condition, which made the planner hash every held line, and
    -- made Citus copy them all to the coordinator).
    -- A join, not a lateral probe (limit 1): Citus refuses the probe ("cannot perform a lateral
    -- outer join when a distributed subquery references complex subqueries, CTEs or local
    -- tables"). The join probes the index per line as long as the planner knows how few the
    -- candidates are: hence the pending batches as a literal (withdrawn, above); with a
    -- sub-select it hashed all of history (1.8 s against 0.34 s for a 5,419-line Online Retail
    -- batch, docs/benchmarks.md).
    left join {{ this }} as earlier
        on earlier.invoice_key = candidates.invoice_key
        and earlier.line_status not in ('duplicate', 'retracted')
        and {{ same_line_content('earlier', 'candidates') }}
        and earlier.batch_id <> all ({{ pending_retraction_batches() }})
    {% endif %}

),

classified as (

    select
        ranked.*,
        -- The rules, in this order; the first that applies names the line's status.
        case
            -- Rule: a line of a retracted batch (npm run load -- --retract) is kept, marked, and
            -- counts for nothing: not as a purchase, a return, or an earlier copy of a later line.
            when ranked.retracted then 'retracted'

            -- Rule: an exact duplicate of an earlier line, in this batch or any earlier one,
            -- counts once. 5,268 Online Retail lines repeat an earlier line in every column: the
            -- same export row written twice, not a second purchase (buying more of a product
            -- raises the quantity or comes on another invoice). The first occurrence keeps the
            -- status it earns below.
            when ranked.occurrence > 1 or ranked.seen_before then 'duplicate'

            -- Rule: a line without an invoice number or a time cannot be placed in an order or in
            -- time. (The loader quarantines a line whose time it cannot read; a line with an empty
            -- invoice number lands, with invoice_key ''.) 0 Online Retail lines.
            when ranked.invoice_no is null or ranked.invoiced_at is null then 'incomplete'

            -- Rule: a line without a customer cannot be attributed to anyone (135,080 Online Retail
            -- lines, mostly guest and marketplace orders); it counts towards no customer.
            when ranked.customer_id is null then 'no_customer'

            -- Rule: postage, carriage, fees, discounts, manual corrections, samples, bad-debt
            -- entries and gift vouchers (seed non_product_codes) are not products. Monetary value,
            -- product counts and the return rate measure what customers buy, so these lines are
            -- left out of all three: postage would make a customer's spend depend on how the
            -- orders were shipped, and a refunded postage charge is not a returned product.
            -- (`like any` of an array read once, not a subquery per line: 30% faster on 1M lines)
            when ranked.stock_code like any (
                array(select codes.stock_code_pattern from {{ ref('non_product_codes') }} as codes)
            ) then 'non_product'

            -- Rule: an invoice number starting with C is a cancellation (9,288 Online Retail
            -- lines). Cancellations are kept apart in returns, where they feed the return rate.
            when ranked.invoice_no like 'C%' then 'cancellation'

            -- Rule: an invoice number starting with A is an accounting entry ("Adjust bad debt").
            when ranked.invoice_no like 'A%' then 'adjustment'

            -- Rule: a negative quantity on an ordinary invoice is goods coming back: a return.
            when ranked.quantity < 0 then 'return'

            -- Rule: a quantity of 0 sells nothing.
            when ranked.quantity = 0 then 'zero_quantity'

            -- Rule: a unit price of 0 or less is a free item, a sample or a correction, not a sale
            -- (2,515 Online Retail lines at 0; the 2 negative ones are bad-debt entries).
            when ranked.unit_price <= 0 then 'non_positive_price'

            -- Rule: a line whose amount is missing or not positive has no value to count.
            when ranked.line_amount is null or ranked.line_amount <= 0 then 'no_amount'

            else 'purchase'
        end as line_status
    from ranked

),

final as (

    select
        -- the distribution column on Citus, first: Citus runs a UNION ALL of views over
        -- distributed tables (silver.order_lines, silver.returns) on the workers only when the
        -- distribution column has the same position in each view (docs/scale-out.md)
        invoice_key,

        -- lineage
        batch_id,
        source_file,
        source_line,
        loaded_at,

        -- the rules' verdict
        line_key,
        line_status,

        -- the line
        invoice_no,
        customer_id,
        stock_code,
        description,
        quantity,
        unit_price,
        line_amount,
        invoiced_at,
        country

    from classified

    {% if is_incremental() %}
    union all

    -- the lines of batches retracted since the last build, as they were but for their status
    select
        invoice_key, batch_id, source_file, source_line, loaded_at,
        line_key, 'retracted' as line_status,
        invoice_no, customer_id, stock_code, description, quantity, unit_price, line_amount,
        invoiced_at, country
    from withdrawn
    {% endif %}

)

select * from final
