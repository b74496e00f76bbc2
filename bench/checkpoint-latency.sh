#!/usr/bin/env bash
# checkpoint create / restore latency for chains of N steps (realistic CAF-shaped content)
set -euo pipefail
BASE=${BASE:-http://127.0.0.1:8080/api/v1}
N=$1; RUNS=${2:-15}
EX="ckb-$N-$RANDOM"
curl -sf -XPOST $BASE/executions -H 'content-type: application/json' -d "{\"id\":\"$EX\",\"agent_id\":\"bench-agent\",\"agent_name\":\"Bench\"}" >/dev/null
python3 - "$N" > /tmp/batches-$N.txt <<'PY'
import json, sys
n = int(sys.argv[1]); batch = []
types = ["planning","reasoning","tool_selection","tool_execution","reflection","decision","observation","correction"]
for i in range(n):
    s = {"id": f"step_{i}", "type": types[i % 8], "content": f"Step {i}: compare candidate plans, read the relevant files and decide the next action for the task at hand.",
         "reasoning": f"Because step {i-1} showed the dependency graph changed, re-check the lockfile before continuing.", "confidence": round(0.3 + (i % 7) / 10, 2),
         "metadata": {"model": "gpt-x", "tokens": 120 + i % 50, "latency_ms": 800 + i % 300}}
    if i > 0: s["parent_id"] = f"step_{i-1}"
    if i % 10 == 0: s["alternatives"] = [{"option": "ask the user", "reason_rejected": "the answer is in the repo", "confidence": 0.2}]
    batch.append(s)
    if len(batch) == 1000 or i == n - 1:
        print(json.dumps({"steps": batch})); batch = []
PY
while read -r line; do echo "$line" | curl -sf -XPOST $BASE/executions/$EX/thoughts -H 'content-type: application/json' --data-binary @- >/dev/null; done < /tmp/batches-$N.txt
for i in $(seq 1 $(( N < 100 ? 10 : N / 100 ))); do
  curl -sf -XPOST $BASE/executions/$EX/context/messages -H 'content-type: application/json' -d '{"messages":[{"role":"user","content":"please continue with the next part of the task"},{"role":"assistant","content":"reading the files now","tool_calls":[{"id":"x","tool_id":"read_file"}]}]}' >/dev/null
  curl -sf -XPOST $BASE/executions/$EX/tool-calls -H 'content-type: application/json' -d "{\"id\":\"tc$i\",\"tool_id\":\"read_file\",\"arguments\":{\"path\":\"src/file$i.ts\"},\"status\":\"running\"}" >/dev/null
  curl -sf -XPATCH $BASE/executions/$EX/tool-calls/tc$i -H 'content-type: application/json' -d '{"status":"completed","result":{"lines":120,"excerpt":"export function main() {}"},"duration_ms":12.5}' >/dev/null
done
curl -sf -XPATCH $BASE/executions/$EX/progress -H 'content-type: application/json' -d "{\"step_number\":$N,\"tokens_used\":$((N*130)),\"duration_ms\":$((N*900)),\"iterations_completed\":$N}" >/dev/null
create=(); restore=(); size=0; cp=""
for r in $(seq 1 $RUNS); do
  out=$(curl -s -XPOST $BASE/executions/$EX/checkpoints -H 'content-type: application/json' -d '{"reason":"auto"}' -w '\n%{time_total}')
  create+=($(echo "$out" | tail -1)); cp=$(echo "$out" | head -1 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"]); open("/tmp/size","w").write(str(d["size_bytes"]))')
  restore+=($(curl -s -o /dev/null -XPOST $BASE/checkpoints/$cp/restore -H 'content-type: application/json' -d '{}' -w '%{time_total}'))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]*1000}'; }
doc=$(curl -s -o /dev/null -w '%{time_total}' $BASE/checkpoints/$cp/document)
echo "steps=$N create_p50_ms=$(median "${create[@]}") restore_p50_ms=$(median "${restore[@]}") document_ms=$(echo "$doc*1000" | bc) object_bytes=$(cat /tmp/size) runs=$RUNS"
