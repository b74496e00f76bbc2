#!/usr/bin/env bash
# Seeds N checkpoints (default 1,000,000) shaped the way runs look in the catalog's second version: executions of 100
# checkpoints each (N / 100 executions), every checkpoint adding 3 thoughts and 1 finished tool call to its execution's
# chain, so checkpoint k of an execution holds 3k thoughts and k tool calls, stored once each as rows shared by the
# checkpoints that contain them (3N/100 x 100 thought rows, N tool-call rows). It seeds database caf_state_bench in
# bulk, then measures GET /checkpoints filters through the packaged service (p50/p95 over RUNS requests) and records
# the PostgreSQL plan of each query with EXPLAIN (ANALYZE, BUFFERS).
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
for f in $(ls src/main/resources/db/migration/V*.sql | sort -V); do psql -h 127.0.0.1 -U postgres -d $DB -q -v ON_ERROR_STOP=1 -f "$f"; done
psql -h 127.0.0.1 -U postgres -d $DB -q -v ON_ERROR_STOP=1 <<SQL
SET maintenance_work_mem = '512MB';
DROP INDEX catalog_thoughts_by_type, catalog_thoughts_by_confidence, catalog_thoughts_search, catalog_thoughts_open,
  catalog_tool_calls_open,
  catalog_tool_calls_by_tool, catalog_tool_calls_by_execution_tool, checkpoints_by_time, checkpoints_by_execution,
  checkpoints_by_agent, checkpoints_by_reason, checkpoints_by_object, checkpoints_by_cseq;
ALTER TABLE catalog_thoughts DROP CONSTRAINT catalog_thoughts_pk;
ALTER TABLE catalog_tool_calls DROP CONSTRAINT catalog_tool_calls_pk;
-- checkpoint n of execution e; times interleave the executions, as concurrent agents' checkpoints do
INSERT INTO checkpoints (tenant, id, execution_id, agent_id, ts, checkpoint_reason, step_number, tokens_used,
  duration_ms, object_key, sha256, content_sha256, size_bytes, schema_version, step_count, tool_call_count, created_at,
  cseq)
SELECT 'local', 'c' || e || '-' || n, 'e' || e, 'agent-' || (e % 50), 1700000000000 + (n * $EXECS + e) * 10,
  (ARRAY['step_complete','manual','low_confidence','tool_error','auto','decision','branch'])[1 + (n + e) % 7],
  n, n * 130, n * 900.0, 'tenants/local/executions/e' || e || '/checkpoints/c' || e || '-' || n || '/x.json',
  md5(e || '-' || n), md5(e || '-' || n), 4000, '0.0.1', 3 * n, n, 1700000000000 + (n * $EXECS + e) * 10, n
FROM generate_series(0, $EXECS - 1) e, generate_series(1, 100) n;
-- step s of execution e joins at checkpoint ceil(s / 3) and stays in every later one
INSERT INTO catalog_thoughts (tenant, execution_id, seq, from_cseq, to_cseq, id, type, content, reasoning, confidence,
  children_json, created_at)
SELECT 'local', 'e' || e, s, (s + 2) / 3, NULL, 's' || s,
  (ARRAY['planning','reasoning','tool_selection','tool_execution','reflection','decision','observation','correction'])[1 + (e + s) % 8],
  (ARRAY['read the package manifest','compare the candidate plans','run the failing test again','summarise the dependencies',
         'inspect the build log','choose the cheaper option','ask for the missing credentials','refactor the parser module'])[1 + (e * 3 + s) % 8]
    || ' step ' || s || ' of ' || e,
  CASE WHEN s % 3 = 2 THEN 'because the lockfile changed' END,
  ((e * 7 + s * 13) % 100) / 100.0, '[]'::jsonb, 1700000000000 + e
FROM generate_series(0, $EXECS - 1) e, generate_series(1, 300) s;
-- call n of execution e finishes before checkpoint n; tools are spread over 200 names
INSERT INTO catalog_tool_calls (tenant, execution_id, seq, from_cseq, to_cseq, id, tool_id, status, arguments_json, ts)
SELECT 'local', 'e' || e, n, n, NULL, 't' || n, 'tool-' || ((e * 100 + n) % 200),
  CASE WHEN n % 10 = 0 THEN 'failed' ELSE 'completed' END, '{}'::json, 1700000000000 + e
FROM generate_series(0, $EXECS - 1) e, generate_series(1, 100) n;
ALTER TABLE catalog_thoughts ADD CONSTRAINT catalog_thoughts_pk PRIMARY KEY (tenant, execution_id, seq, from_cseq);
ALTER TABLE catalog_tool_calls ADD CONSTRAINT catalog_tool_calls_pk PRIMARY KEY (tenant, execution_id, seq, from_cseq);
CREATE INDEX checkpoints_by_time ON checkpoints (tenant, ts DESC, id DESC);
CREATE INDEX checkpoints_by_execution ON checkpoints (tenant, execution_id, ts DESC, id DESC);
CREATE INDEX checkpoints_by_agent ON checkpoints (tenant, agent_id, ts DESC, id DESC);
CREATE INDEX checkpoints_by_reason ON checkpoints (tenant, checkpoint_reason, ts DESC, id DESC);
CREATE INDEX checkpoints_by_object ON checkpoints (object_key);
CREATE UNIQUE INDEX checkpoints_by_cseq ON checkpoints (tenant, execution_id, cseq);
CREATE INDEX catalog_thoughts_by_type ON catalog_thoughts (tenant, execution_id, type, confidence);
CREATE INDEX catalog_thoughts_by_confidence ON catalog_thoughts (tenant, execution_id, confidence);
CREATE INDEX catalog_thoughts_search ON catalog_thoughts USING gin (search);
CREATE INDEX catalog_thoughts_open ON catalog_thoughts (tenant, execution_id) INCLUDE (seq, id, hash) WHERE to_cseq IS NULL;
CREATE INDEX catalog_tool_calls_open ON catalog_tool_calls (tenant, execution_id) INCLUDE (seq, id, hash) WHERE to_cseq IS NULL;
CREATE INDEX catalog_tool_calls_by_tool ON catalog_tool_calls (tenant, tool_id, execution_id, from_cseq);
CREATE INDEX catalog_tool_calls_by_execution_tool ON catalog_tool_calls (tenant, execution_id, tool_id, from_cseq);
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
  echo "# GET /checkpoints at $N checkpoints of $EXECS executions ($((EXECS * 300)) thought rows and $N tool-call rows shared by them); seed took ${seeded}s; database $(psql -h 127.0.0.1 -U postgres -tAc "select pg_size_pretty(pg_database_size('$DB'))")"
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
measure q_rare "q=credentials%20step%203%20of%207777&limit=50"
measure execution "execution_id=e42&limit=50"
measure reason_agent "reason=tool_error&agent_id=agent-7&limit=50"

explain() { # name, WHERE clause as the service builds it
  echo; echo "## EXPLAIN ANALYZE: $1"
  psql -h 127.0.0.1 -U postgres -d $DB -tA -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT id FROM checkpoints c WHERE c.tenant = 'local' AND $2 ORDER BY c.ts DESC, c.id DESC LIMIT 51"
} >> "$OUT"
R="c.cseq BETWEEN t.from_cseq AND COALESCE(t.to_cseq, 9223372036854775807)"
explain tool_id "EXISTS (SELECT 1 FROM catalog_tool_calls t WHERE t.tenant = c.tenant AND t.execution_id = c.execution_id AND t.tool_id = 'tool-17' AND $R)"
explain thought_type_confidence "EXISTS (SELECT 1 FROM catalog_thoughts t WHERE t.tenant = c.tenant AND t.execution_id = c.execution_id AND $R AND t.type = 'reflection' AND t.confidence >= 0.9)"
explain q_text "EXISTS (SELECT 1 FROM catalog_thoughts t WHERE t.tenant = c.tenant AND t.execution_id = c.execution_id AND $R AND t.search @@ plainto_tsquery('simple', 'lockfile manifest'))"
echo >> "$OUT"; echo "## EXPLAIN ANALYZE: q_rare (one matching row: driven by it, as the service queries it)" >> "$OUT"
psql -h 127.0.0.1 -U postgres -d $DB -tA -c "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) SELECT DISTINCT ON (c.ts, c.id) c.id FROM catalog_thoughts t JOIN checkpoints c ON c.tenant = t.tenant AND c.execution_id = t.execution_id AND $R WHERE t.tenant = 'local' AND t.search @@ plainto_tsquery('simple', 'credentials step 3 of 7777') ORDER BY c.ts DESC, c.id DESC LIMIT 51" >> "$OUT"
echo "results in $OUT"
