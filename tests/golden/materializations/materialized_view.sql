-- create table (counts rows, contains the model)
create table "gold__b000001"."customers" as
select customer_id, amount, updated_at
from "src"."customers";

-- create index (customer_id)
create index on "gold__b000001"."customers" using btree (customer_id);

-- analyze
analyze "gold__b000001"."customers";
