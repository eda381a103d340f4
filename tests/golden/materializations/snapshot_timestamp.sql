-- forget unpublished row versions
delete from "strata_store"."gold__customer_history__451d65d8b0__b1" where _strata_from > 1;

-- restore rows unpublished builds superseded
update "strata_store"."gold__customer_history__451d65d8b0__b1" set _strata_to = null where _strata_to > 1;

-- view the published rows: with the columns of strata_store.gold__customer_history__451d65d8b0__b1 = customer_id, amount, updated_at

-- create build view
create view "gold__b000002"."customer_history" as
select "customer_id", "amount", "updated_at"
from "strata_store"."gold__customer_history__451d65d8b0__b1"
where "_strata_to" is null;

-- stage new rows (contains the model)
create temp table "pg_temp"."__strata_new_customer_history" as
select customer_id, amount, updated_at
from "src"."customers";

-- record changes: with the columns of pg_temp.__strata_new_customer_history = customer_id, amount, updated_at

-- close changed versions
with closed as (
update "strata_store"."gold__customer_history__451d65d8b0__b1" as t
set _strata_to = 2
from "pg_temp"."__strata_new_customer_history" as s
where t._strata_to is null
  and t."customer_id" = s."customer_id"
  and t.dbt_valid_to is null
  and (t.dbt_valid_from < s."updated_at")
returning t."customer_id", t."amount", t."updated_at", t."dbt_scd_id", t."dbt_updated_at", t."dbt_valid_from", s."updated_at" as dbt_valid_to
)
insert into "strata_store"."gold__customer_history__451d65d8b0__b1" ("customer_id", "amount", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", _strata_gen, _strata_from)
select "customer_id", "amount", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", 1, 2
from closed;

-- insert new versions (counts rows)
insert into "strata_store"."gold__customer_history__451d65d8b0__b1" ("customer_id", "amount", "updated_at", "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", _strata_gen, _strata_from)
select s."customer_id", s."amount", s."updated_at", md5(coalesce(cast(s."customer_id" as text), '') || '|' || coalesce(cast(s."updated_at" as text), '')), s."updated_at", s."updated_at", null, 1, 2
from "pg_temp"."__strata_new_customer_history" as s
where not exists (select 1 from "strata_store"."gold__customer_history__451d65d8b0__b1" as t where t."customer_id" = s."customer_id" and t.dbt_valid_to is null and t._strata_to is null);

-- refresh statistics after a large change
do $strata$ begin
  if (select count(*) from "pg_temp"."__strata_new_customer_history") >
     50 + 0.1 * greatest((select reltuples from pg_class where oid = '"strata_store"."gold__customer_history__451d65d8b0__b1"'::regclass), 0) then
    analyze "strata_store"."gold__customer_history__451d65d8b0__b1";
  end if;
end $strata$;

-- drop staged rows
drop table "pg_temp"."__strata_new_customer_history";
