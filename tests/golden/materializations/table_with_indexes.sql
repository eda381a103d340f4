-- create table (counts rows, contains the model)
create table "gold__b000001"."customers" as
select customer_id, amount, updated_at
from "src"."customers";

-- create index (customer_id)
create unique index on "gold__b000001"."customers" using btree (customer_id);

-- create index (updated_at)
create index on "gold__b000001"."customers" using brin (updated_at);

-- analyze
analyze "gold__b000001"."customers";
