-- create snapshot (counts rows, contains the model)
create table "gold__b000001"."customer_history" as
select
  s.*,
  md5(coalesce(cast(s."customer_id" as text), '') || '|' || coalesce(cast(s."updated_at" as text), '')) as dbt_scd_id,
  s."updated_at" as dbt_updated_at,
  s."updated_at" as dbt_valid_from,
  nullif(s."updated_at", s."updated_at") as dbt_valid_to
from (
select customer_id, amount, updated_at
from "src"."customers"
) as s;

-- analyze
analyze "gold__b000001"."customer_history";
