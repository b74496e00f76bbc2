#!/usr/bin/env bash
# Seeds N checkpoints (default 1,000,000: 10,000 executions x 100; 3 thoughts and 1 tool call each) into database
# caf_state_bench in bulk, then measures GET /checkpoints filters through the packaged service (p50/p95 over RUNS
# requests) and records the PostgreSQL plan of each query with EXPLAIN (ANALYZE, BUFFERS).
# Output: bench/results/query-<N>.txt. Needs bin/run-local's prerequisites; the service runs on port 8081.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/services
N=${1:-1000000}; RUNS=${RUNS:-200}; DB=caf_state_bench; PORT=8081
ensure_postgres; ensure_rabbitmq
mkdir -p bench/results; OUT=bench/results/query-$N.txt
EXECS=$(( N / 100 ))
start=$(date +%s)
if [ -z "${SKIP_SEED:-}" ]; then
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB" -qc "CREATE DATABASE $DB"
# the schema exactly as Flyway would create it (the service then runs with migrate-at-start off)
for f in src/main/resources/db/migration/V*.sql; do psql -h 127.0.0.1 -U postgres -d $DB -q -v ON_ERROR_STOP=1 -f "$f"; done
psql -h 127.0.0.1 -U postgres -d $DB -q -v ON_ERROR_STOP=1 <<SQL
SET maintenance_work_mem = '512MB';
DROP INDEX checkpoint_thoughts_by_type, checkpoint_thoughts_by_confidence, checkpoint_thoughts_search,
  checkpoint_tool_calls_by_tool, checkpoints_by_time, checkpoints_by_execution, checkpoints_by_agent,
  checkpoints_by_reason, checkpoints_by_object;
INSERT INTO checkpoints (tenant, id, execution_id, agent_id, ts, checkpoint_reason, step_number, tokens_used,
  duration_ms, object_key, sha256, content_sha256, size_bytes, schema_version, step_count, tool_call_count, created_at)
SELECT 'local', 'c' || g, 'e' || (g % $EXECS), 'agent-' || (g % 50),
  1700000000000 + g * 1000, (ARRAY['step_complete','manual','low_confidence','tool_error','auto','decision','branch'])[1 + g % 7],
  g % 100, g % 100 * 130, g % 100 * 900.0, 'tenants/local/executions/e' || (g % $EXECS) || '/checkpoints/c' || g || '/x.json',
  md5(g::text), md5(g::text), 4000, '0.0.1', 3, 1, 1700000000000 + g * 1000
FROM generate_series(1, $N) g;
INSERT INTO checkpoint_thoughts (tenant, checkpoint_id, id, seq, type, content, reasoning, confidence, children_json,
  created_at)
SELECT 'local', 'c' || g, 's' || k, k,
  (ARRAY['planning','reasoning','tool_selection','tool_execution','reflection','decision','observation','correction'])[1 + (g + k) % 8],
  (ARRAY['read the package manifest','compare the candidate plans','run the failing test again','summarise the dependencies',
         'inspect the build log','choose the cheaper option','ask for the missing credentials','refactor the parser module'])[1 + (g * 3 + k) % 8]
    || ' step ' || k || ' of ' || g,
  CASE WHEN k = 2 THEN 'because the lockfile changed' END,
  ((g * 7 + k * 13) % 100) / 100.0, '[]'::jsonb, 1700000000000 + g * 1000
FROM generate_series(1, $N) g, generate_series(1, 3) k;
INSERT INTO checkpoint_tool_calls (tenant, checkpoint_id, id, seq, tool_id, status, arguments_json, ts, checkpoint_ts)
SELECT 'local', 'c' || g, 't1', 1, 'tool-' || (g % 200), CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'completed' END,
  '{}'::json, 1700000000000 + g * 1000, 1700000000000 + g * 1000
FROM generate_series(1, $N) g;
CREATE INDEX checkpoints_by_time ON checkpoints (tenant, ts DESC, id DESC);
CREATE INDEX checkpoints_by_execution ON checkpoints (tenant, execution_id, ts DESC, id DESC);
CREATE INDEX checkpoints_by_agent ON checkpoints (tenant, agent_id, ts DESC, id DESC);
CREATE INDEX checkpoints_by_reason ON checkpoints (tenant, checkpoint_reason, ts DESC, id DESC);
CREATE INDEX checkpoints_by_object ON checkpoints (object_key);
CREATE INDEX checkpoint_thoughts_by_type ON checkpoint_thoughts (tenant, type, confidence, checkpoint_id);
CREATE INDEX checkpoint_thoughts_by_confidence ON checkpoint_thoughts (tenant, confidence, checkpoint_id);
CREATE INDEX checkpoint_thoughts_search ON checkpoint_thoughts USING gin (search);
CREATE INDEX checkpoint_tool_calls_by_tool ON checkpoint_tool_calls (tenant, tool_id, checkpoint_ts DESC, checkpoint_id DESC);
VACUUM ANALYZE;
SQL
fi
seeded=$(( $(date +%s) - start ))

./mvnw -B -q -ntp package -DskipTests
mkdir -p bench/work
DB_REACTIVE_URL=postgresql://127.0.0.1:5432/$DB DB_JDBC_URL=jdbc:postgresql://127.0.0.1:5432/$DB PORT=$PORT \
  QUARKUS_FLYWAY_MIGRATE_AT_START=false java -Dquarkus.profile=local -jar target/quarkus-app/quarkus-run.jar > bench/work/query-service.log 2>&1 &
APP=$!
trap 'kill $APP 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do curl -sf localhost:$PORT/q/health/ready >/dev/null && break; sleep 1; done

{
  echo "# GET /checkpoints at $N checkpoints ($((N * 3)) thoughts, $N tool calls); seed took ${seeded}s"
  echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(psql -h 127.0.0.1 -U postgres -tAc 'select version()' | cut -d, -f1); $(java -version 2>&1 | head -1)"
  echo
} > "$OUT"
measure() { # name, query string
  local name=$1 q=$2 times=()
  for _ in $(seq 1 20); do curl -sf -o /dev/null "localhost:$PORT/api/v1/checkpoints?$q"; done
  for _ in $(seq 1 "$RUNS"); do times+=($(curl -sf -o /dev/null -w '%{time_total}' "localhost:$PORT/api/v1/checkpoints?$q")); done
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$name" -v q="$q" '{a[NR]=$1} END {printf "%-28s p50=%6.2f ms  p95=%6.2f ms  (%s)\n", n, a[int(NR*0.5)]*1000, a[int(NR*0.95)]*1000, q}' | tee -a "$OUT"
}
measure newest "limit=50"
measure tool_id "tool_id=tool-17&limit=50"
measure thought_type_confidence "thought_type=reflection&min_confidence=0.9&limit=50"
measure q_text "q=lockfile%20manifest&limit=50"
measure q_rare "q=credentials%20step%203%20of%20777777&limit=50"
measure execution "execution_id=e42&limit=50"
measure reason_agent "reason=tool_error&agent_id=agent-7&limit=50"

explain() { # name, WHERE clause as the service builds it
  echo; echo "## EXPLAIN ANALYZE: $1"
  psql -h 127.0.0.1 -U postgres -d $DB -tA -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM checkpoints c WHERE c.tenant = 'local' AND $2 ORDER BY c.ts DESC, c.id DESC LIMIT 51"
} >> "$OUT"
echo >> "$OUT"; echo "## EXPLAIN ANALYZE: tool_id (driven by the tool index, as the service queries it)" >> "$OUT"
psql -h 127.0.0.1 -U postgres -d $DB -tA -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT c.id FROM (SELECT DISTINCT ON (k.checkpoint_ts, k.checkpoint_id) k.checkpoint_ts, k.checkpoint_id FROM checkpoint_tool_calls k WHERE k.tenant = 'local' AND k.tool_id = 'tool-17' ORDER BY k.checkpoint_ts DESC, k.checkpoint_id DESC) m JOIN checkpoints c ON c.tenant = 'local' AND c.id = m.checkpoint_id WHERE c.tenant = 'local' ORDER BY m.checkpoint_ts DESC, m.checkpoint_id DESC LIMIT 51" >> "$OUT"
explain thought_type_confidence "EXISTS (SELECT 1 FROM checkpoint_thoughts t WHERE t.tenant = c.tenant AND t.checkpoint_id = c.id AND t.type = 'reflection' AND t.confidence >= 0.9)"
explain q_text "EXISTS (SELECT 1 FROM checkpoint_thoughts t WHERE t.tenant = c.tenant AND t.checkpoint_id = c.id AND t.search @@ plainto_tsquery('simple', 'lockfile manifest'))"
explain q_rare "EXISTS (SELECT 1 FROM checkpoint_thoughts t WHERE t.tenant = c.tenant AND t.checkpoint_id = c.id AND t.search @@ plainto_tsquery('simple', 'credentials step 3 of 777777'))"
echo "results in $OUT"
