-- A thought's alternatives are kept as json (the text as written), like every other free-form member: jsonb turned an
-- unknown member's number beyond PostgreSQL's numeric range (1e200000, which JSON allows and JavaScript reads as
-- Infinity) into an error, and sorted members.
ALTER TABLE runtime_thoughts ALTER COLUMN alternatives TYPE json USING alternatives::text::json;
ALTER TABLE checkpoint_thoughts ALTER COLUMN alternatives_json TYPE json USING alternatives_json::text::json;
