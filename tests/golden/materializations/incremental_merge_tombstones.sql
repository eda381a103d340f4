-- copy previous structure
create table "gold__b000002"."customers" (like "gold__b000001"."customers" including all excluding indexes);

-- copy previous rows
insert into "gold__b000002"."customers" select * from "gold__b000001"."customers";

-- create index (customer_id)
create unique index on "gold__b000002"."customers" using btree (customer_id);

-- analyze
analyze "gold__b000002"."customers";

-- stage new rows (contains the model)
create temp table "pg_temp"."__strata_new_customers" as
select customer_id, amount, updated_at
from "src"."customers"
where updated_at > (select max(updated_at) from "gold__b000002"."customers");

-- fold in new rows: with the columns of pg_temp.__strata_new_customers = customer_id, amount, updated_at, is_tombstone

-- merge new rows (counts rows)
merge into "gold__b000002"."customers" as t
using "pg_temp"."__strata_new_customers" as s
on t."customer_id" = s."customer_id"
when matched and s."is_tombstone" then delete
when matched then update set "amount" = s."amount", "updated_at" = s."updated_at"
when not matched and not s."is_tombstone" then insert ("customer_id", "amount", "updated_at") values (s."customer_id", s."amount", s."updated_at");

-- drop staged rows
drop table "pg_temp"."__strata_new_customers";

-- analyze
analyze "gold__b000002"."customers";
