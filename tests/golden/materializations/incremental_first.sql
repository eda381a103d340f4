-- create table (counts rows, contains the model)
create table "gold__b000001"."customers" as
select customer_id, amount, updated_at
from "src"."customers";

-- analyze
analyze "gold__b000001"."customers";
