-- copy previous structure
create table "gold__b000002"."customer_history" (like "gold__b000001"."customer_history" including all excluding indexes);

-- copy previous rows
insert into "gold__b000002"."customer_history" select * from "gold__b000001"."customer_history";

-- stage new rows (contains the model)
create temp table "pg_temp"."__strata_new_customer_history" as
select customer_id, amount, updated_at
from "src"."customers";

-- record changes: with the columns of pg_temp.__strata_new_customer_history = customer_id, amount, updated_at

-- close changed versions
update "gold__b000002"."customer_history" as t
set dbt_valid_to = now()::timestamp
from "pg_temp"."__strata_new_customer_history" as s
where t."customer_id" = s."customer_id"
  and t.dbt_valid_to is null
  and (t."amount" is distinct from s."amount");

-- insert new versions (counts rows)
insert into "gold__b000002"."customer_history" ("customer_id", "amount", "updated_at", dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to)
select s."customer_id", s."amount", s."updated_at", md5(coalesce(cast(s."customer_id" as text), '') || '|' || coalesce(cast(now()::timestamp as text), '')), now()::timestamp, now()::timestamp, null
from "pg_temp"."__strata_new_customer_history" as s
where not exists (select 1 from "gold__b000002"."customer_history" as t where t."customer_id" = s."customer_id" and t.dbt_valid_to is null);

-- invalidate deleted keys
update "gold__b000002"."customer_history" as t
set dbt_valid_to = now()::timestamp
where t.dbt_valid_to is null
  and not exists (select 1 from "pg_temp"."__strata_new_customer_history" as s where s."customer_id" = t."customer_id");

-- drop staged rows
drop table "pg_temp"."__strata_new_customer_history";

-- analyze
analyze "gold__b000002"."customer_history";
