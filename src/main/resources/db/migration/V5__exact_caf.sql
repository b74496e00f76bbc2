-- Exact CAF (issue 9).
--
-- 1. Counters are 64-bit: CAF has no upper bound and JavaScript holds integers exactly up to 2^53-1.
ALTER TABLE executions
    ALTER COLUMN step_number TYPE bigint,
    ALTER COLUMN total_steps_estimate TYPE bigint,
    ALTER COLUMN iterations_completed TYPE bigint;
ALTER TABLE checkpoints
    ALTER COLUMN step_number TYPE bigint,
    ALTER COLUMN total_steps_estimate TYPE bigint;

-- 2. Free-form JSON keeps its members in the order the client sent them: json keeps the text as written, jsonb
--    sorts members (CAF's prompt compiler substitutes variables in insertion order, so the order is data).
--    Arrays of ids (children) and records the service maps itself (alternatives) stay jsonb.
ALTER TABLE executions
    ALTER COLUMN metadata TYPE json USING metadata::text::json,
    ALTER COLUMN variables DROP DEFAULT,
    ALTER COLUMN variables TYPE json USING variables::text::json,
    ALTER COLUMN variables SET DEFAULT '{}'::json;
ALTER TABLE runtime_thoughts ALTER COLUMN metadata TYPE json USING metadata::text::json;
ALTER TABLE runtime_messages
    ALTER COLUMN tool_calls TYPE json USING tool_calls::text::json,
    ALTER COLUMN tool_results TYPE json USING tool_results::text::json;
-- a memory entry's value may be missing in CAF (SQL NULL), or the JSON null (json 'null')
ALTER TABLE runtime_memory
    ALTER COLUMN value TYPE json USING value::text::json,
    ALTER COLUMN value DROP NOT NULL;
ALTER TABLE runtime_tool_calls
    ALTER COLUMN arguments TYPE json USING arguments::text::json,
    ALTER COLUMN result TYPE json USING result::text::json;
ALTER TABLE checkpoint_thoughts ALTER COLUMN metadata_json TYPE json USING metadata_json::text::json;
ALTER TABLE checkpoint_tool_calls
    ALTER COLUMN arguments_json TYPE json USING arguments_json::text::json,
    ALTER COLUMN result_json TYPE json USING result_json::text::json;
ALTER TABLE outbox_events ALTER COLUMN payload TYPE json USING payload::text::json;

-- 3. The tool-state list a call sits in is kept as the document had it (CAF does not tie a call's status to its
--    list, so a restored document comes back as it was); runtime moves set it from the new status.
ALTER TABLE runtime_tool_calls ADD COLUMN list text;
UPDATE runtime_tool_calls SET list = CASE status WHEN 'cancelled' THEN 'failed' ELSE status END;
ALTER TABLE runtime_tool_calls
    ALTER COLUMN list SET NOT NULL,
    ADD CONSTRAINT runtime_tool_calls_list_ck CHECK (list IN ('pending', 'running', 'completed', 'failed'));

-- 4. A checkpoint's sha256 is the SHA-256 of the stored object's bytes, which are the bytes the client sent (push)
--    or the runtime's document in its member order. content_sha256 is of the canonical form (members sorted,
--    numbers as JavaScript reads them): a re-push of the same content with other formatting is recognised by it.
ALTER TABLE checkpoints ADD COLUMN content_sha256 text;
UPDATE checkpoints SET content_sha256 = sha256;
ALTER TABLE checkpoints ALTER COLUMN content_sha256 SET NOT NULL;

-- 5. RFC 7396 merge patch on json that keeps member order: members of the target stay where they are, new ones are
--    appended in the patch's order (json_object_agg keeps the aggregation order).
CREATE FUNCTION json_merge_patch(target json, patch json) RETURNS json
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    result json;
BEGIN
    IF patch IS NULL OR json_typeof(patch) <> 'object' THEN
        RETURN patch;
    END IF;
    IF target IS NULL OR json_typeof(target) <> 'object' THEN
        target := '{}'::json;
    END IF;
    SELECT json_object_agg(x.k, x.v ORDER BY x.pos) INTO result FROM (
        SELECT t.key AS k,
               CASE WHEN p.value IS NULL THEN t.value ELSE json_merge_patch(t.value, p.value) END AS v,
               t.ord AS pos
        FROM json_each(target) WITH ORDINALITY AS t(key, value, ord)
        LEFT JOIN json_each(patch) AS p(key, value) ON p.key = t.key
        WHERE p.value IS NULL OR json_typeof(p.value) <> 'null'
        UNION ALL
        SELECT p.key, json_merge_patch(NULL, p.value), 4611686018427387904 + p.ord
        FROM json_each(patch) WITH ORDINALITY AS p(key, value, ord)
        WHERE json_typeof(p.value) <> 'null'
          AND NOT EXISTS (SELECT 1 FROM json_each(target) AS t(key, value) WHERE t.key = p.key)
    ) x;
    RETURN COALESCE(result, '{}'::json);
END
$$;
