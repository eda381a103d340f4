-- Placeholder: migration number 11 is assigned to another change being made at the same time
-- (postgres-migrations requires consecutive numbers, so 12 cannot be applied without an 11).
-- Delete this file when that change's own 11 is merged.
select 1;
