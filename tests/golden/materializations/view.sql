-- create view (contains the model)
create view "gold__b000001"."customers" as
select customer_id, amount, updated_at
from "src"."customers";
