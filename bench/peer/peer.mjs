// LangGraph's PostgreSQL checkpointer on the same PostgreSQL, storing the same states as CAF State's checkpoints.
// A library writing from the client process: no HTTP, no object storage, no events. Prints one JSON line.
// Usage: node peer.mjs <connString> <concurrency> <seconds> <doc-10.json> <doc-1000.json> ...
import { readFileSync } from "node:fs";
import pg from "pg";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";

const [connString, concurrencyArg, secondsArg, ...docs] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const seconds = Number(secondsArg);
const saver = new PostgresSaver(new pg.Pool({ connectionString: connString, max: concurrency }));
await saver.setup();

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.round((p / 100) * (sorted.length - 1)))];
}

async function loop(worker, body) {
  const latencies = [];
  const until = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < until) {
    const started = process.hrtime.bigint();
    await body(worker, n++);
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return latencies;
}

async function measure(body) {
  const started = Date.now();
  const all = (await Promise.all([...Array(concurrency).keys()].map((w) => loop(w, body)))).flat();
  const elapsed = (Date.now() - started) / 1000;
  return { per_s: Math.round((all.length / elapsed) * 10) / 10, p50_ms: percentile(all, 50), p99_ms: percentile(all, 99) };
}

const results = [];
for (const file of docs) {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  const steps = doc.snapshot.thought_chain.steps.length;
  const run = `r${Date.now()}`;
  // the four CAF parts as LangGraph channels, every one new in each checkpoint (a full state, like a CAF document)
  const put = await measure(async (worker, n) => {
    const version = n + 1;
    const channels = ["thought_chain", "context", "tool_state", "progress"];
    const checkpoint = {
      v: 1, id: `${String(Date.now()).padStart(15, "0")}-${String(n).padStart(9, "0")}`, ts: new Date().toISOString(),
      channel_values: Object.fromEntries(channels.map((c) => [c, doc.snapshot[c]])),
      channel_versions: Object.fromEntries(channels.map((c) => [c, version])),
      versions_seen: {}, pending_sends: [],
    };
    await saver.put({ configurable: { thread_id: `${run}-${steps}-${worker}`, checkpoint_ns: "" } }, checkpoint,
      { source: "loop", step: n, writes: null, parents: {} }, checkpoint.channel_versions);
  });
  const get = await measure(async (worker) => {
    const tuple = await saver.getTuple({ configurable: { thread_id: `${run}-${steps}-${worker}` } });
    if (!tuple) throw new Error("no checkpoint");
  });
  results.push({ steps, bytes: readFileSync(file).length, put, get_latest: get });
}
console.log(JSON.stringify(results));
await saver.end();
