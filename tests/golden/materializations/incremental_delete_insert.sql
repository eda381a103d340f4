-- forget unpublished row versions
delete from "strata_store"."gold__customers__f23b2ec14e__b1" where _strata_from > 1;

-- restore rows unpublished builds superseded
update "strata_store"."gold__customers__f23b2ec14e__b1" set _strata_to = null where _strata_to > 1;

-- view the published rows: with the columns of strata_store.gold__customers__f23b2ec14e__b1 = customer_id, amount, updated_at

-- create build view
create view "gold__b000002"."customers" as
select "customer_id", "amount", "updated_at"
from "strata_store"."gold__customers__f23b2ec14e__b1"
where "_strata_to" is null;

-- stage new rows (contains the model)
create temp table "pg_temp"."__strata_new_customers" as
select customer_id, amount, updated_at
from "src"."customers"
where updated_at > (select max(updated_at) from "gold__b000002"."customers");

-- fold in new rows: with the columns of pg_temp.__strata_new_customers = customer_id, amount, updated_at

-- plan the fold by index
set local random_page_cost = 1.1;

-- supersede replaced rows
update "strata_store"."gold__customers__f23b2ec14e__b1" as t
set _strata_to = 2
from "pg_temp"."__strata_new_customers" as s
where t._strata_to is null
  and t."customer_id" = s."customer_id";

-- insert new rows (counts rows)
insert into "strata_store"."gold__customers__f23b2ec14e__b1" ("customer_id", "amount", "updated_at", _strata_gen, _strata_from)
select s."customer_id", s."amount", s."updated_at", 1, 2
from "pg_temp"."__strata_new_customers" as s;

-- refresh statistics after a large change
do $strata$ begin
  if (select count(*) from "pg_temp"."__strata_new_customers") >
     50 + 0.1 * greatest((select reltuples from pg_class where oid = '"strata_store"."gold__customers__f23b2ec14e__b1"'::regclass), 0) then
    analyze "strata_store"."gold__customers__f23b2ec14e__b1";
  end if;
end $strata$;

-- drop staged rows
drop table "pg_temp"."__strata_new_customers";
