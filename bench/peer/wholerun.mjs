// Whole agent runs for bench/run's whole_run phase: N agents of S steps each, shaped like CAF agents (per step a
// thought and a progress update; every 5th step a message; every 10th a tool call through its states), stored by
// CAF State (through its API, as agents in pods would) or by LangGraph (a graph whose super-step is one agent step,
// with its PostgreSQL checkpointer on the same PostgreSQL). Prints one JSON line: wall time and per-operation latency.
//
// Usage: node wholerun.mjs ours <baseUrl> <token> <agents> <steps> <checkpointEvery> <runId>
//        node wholerun.mjs langgraph <connString> <agents> <steps> <delta:0|1> [poolSize (default: agents)]
import http from "node:http";
import pg from "pg";
import { DeltaValue, END, ReducedValue, START, StateGraph, StateSchema } from "@langchain/langgraph";
import { z } from "zod";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";

const CONTENT = "Compare the candidate plans, read the relevant files and decide the next action for the task.";
const REASONING = "The previous step showed the dependency graph changed; re-check the lockfile first.";

function thought(agent, i) {
  const t = { id: `a${agent}-s${i}`, type: "reasoning", content: `${CONTENT} (${i})`, confidence: 0.72 };
  if (i % 2 === 0) {
    t.reasoning = REASONING;
  }
  if (i % 7 === 0) {
    t.alternatives = [{ option: "run the tests first", confidence: 0.4, reason_rejected: "slower" }];
  }
  return t;
}

function percentile(values, p) {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.round((p / 100) * (sorted.length - 1)))];
}

function summary(latencies) {
  const out = {};
  for (const [op, values] of Object.entries(latencies)) {
    out[op] = { n: values.length, p50_ms: +percentile(values, 50).toFixed(2), p99_ms: +percentile(values, 99).toFixed(2) };
  }
  return out;
}

async function ours(base, token, agents, steps, every, runId) {
  const latencies = {};
  const headers = { "Content-Type": "application/json", Authorization: `Bearer ${token}` };
  // node:http with keep-alive rather than fetch: in a cluster the agents run in pods of their own, so the client's
  // CPU is not the service's to pay; here it shares two cores with it, and fetch costs about twice as much per call
  const url = new URL(base);
  const agentPool = new http.Agent({ keepAlive: true, maxSockets: agents });
  function request(method, path, body) {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request({ host: url.hostname, port: url.port, method, path, agent: agentPool,
        headers: payload === undefined ? headers : { ...headers, "Content-Length": Buffer.byteLength(payload) } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(payload);
    });
  }
  async function call(op, method, path, body) {
    const started = performance.now();
    const r = await request(method, path, body);
    (latencies[op] ??= []).push(performance.now() - started);
    if (r.status >= 300) {
      throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`);
    }
    return r.text;
  }
  async function agent(a) {
    const e = `${runId}-${a}`;
    await call("create", "POST", "/api/v1/executions", { id: e, agent_id: `agent-${a % 8}` });
    for (let i = 1; i <= steps; i++) {
      await call("thought", "POST", `/api/v1/executions/${e}/thoughts`, thought(a, i));
      await call("progress", "PATCH", `/api/v1/executions/${e}/progress`,
        { step_number: i, tokens_used: i * 130, duration_ms: i * 900, iterations_completed: i });
      if (i % 5 === 0) {
        await call("message", "POST", `/api/v1/executions/${e}/context/messages`,
          { role: i % 10 === 0 ? "assistant" : "user", content: `message at step ${i}` });
      }
      if (i % 10 === 0) {
        const id = `tc-${i}`;
        await call("tool_call", "POST", `/api/v1/executions/${e}/tool-calls`,
          { id, tool_id: `tool-${i % 20}`, arguments: { path: `src/f${i}.ts` }, status: "running" });
        await call("tool_result", "PATCH", `/api/v1/executions/${e}/tool-calls/${id}`,
          { status: "completed", result: { lines: 120 }, duration_ms: 12.5 });
      }
      if (i % every === 0) {
        await call("checkpoint", "POST", `/api/v1/executions/${e}/checkpoints`, { reason: "auto" });
      }
    }
  }
  const started = performance.now();
  await Promise.all([...Array(agents).keys()].map(agent));
  const seconds = (performance.now() - started) / 1000;
  agentPool.destroy();
  return { seconds: +seconds.toFixed(2), ops: summary(latencies) };
}

async function langgraph(connString, agents, steps, delta, poolSize) {
  const pool = new pg.Pool({ connectionString: connString, max: poolSize });
  const saver = new PostgresSaver(pool);
  await saver.setup();
  // the list channels: the whole list in every checkpoint (ReducedValue), or only each step's writes plus a snapshot
  // now and then (DeltaValue, beta in this LangGraph.js)
  const list = () => (delta
    ? new DeltaValue(z.array(z.any()).default(() => []), {
      inputSchema: z.array(z.any()),
      reducer: (current, writes) => current.concat(...writes),
    })
    : new ReducedValue(z.array(z.any()).default(() => []), {
      inputSchema: z.array(z.any()),
      reducer: (current, next) => current.concat(next),
    }));
  const State = new StateSchema({
    step: z.number().default(0),
    steps: z.number().default(0),
    agent: z.number().default(0),
    thoughts: list(),
    messages: list(),
    tool_calls: list(),
    progress: z.record(z.any()).default(() => ({})),
  });
  const latencies = { super_step: [] };
  const graph = new StateGraph(State)
    .addNode("agent_step", (s) => {
      const i = s.step + 1;
      const update = {
        step: i,
        thoughts: [thought(s.agent, i)],
        progress: { step_number: i, tokens_used: i * 130, duration_ms: i * 900, iterations_completed: i },
      };
      if (i % 5 === 0) update.messages = [{ role: i % 10 === 0 ? "assistant" : "user", content: `message at step ${i}` }];
      if (i % 10 === 0) {
        update.tool_calls = [{ id: `tc-${i}`, tool_id: `tool-${i % 20}`, arguments: { path: `src/f${i}.ts` },
          status: "completed", result: { lines: 120 }, duration_ms: 12.5 }];
      }
      return update;
    })
    .addEdge(START, "agent_step")
    .addConditionalEdges("agent_step", (s) => (s.step >= s.steps ? END : "agent_step"))
    .compile({ checkpointer: saver });
  async function agent(a) {
    // the super-steps' durations as the run streams them: each includes its checkpoint's put
    let last = performance.now();
    const stream = await graph.stream(
      { agent: a, steps },
      { configurable: { thread_id: `run-${a}` }, recursionLimit: steps + 10, streamMode: "updates" });
    for await (const _ of stream) {
      const now = performance.now();
      latencies.super_step.push(now - last);
      last = now;
    }
  }
  const started = performance.now();
  await Promise.all([...Array(agents).keys()].map(agent));
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  return { seconds: +seconds.toFixed(2), ops: summary(latencies) };
}

const [mode, ...args] = process.argv.slice(2);
let result;
if (mode === "ours") {
  const [base, token, agents, steps, every, runId] = args;
  result = await ours(base, token, Number(agents), Number(steps), Number(every), runId);
} else {
  const [connString, agents, steps, delta, poolSize] = args;
  result = await langgraph(connString, Number(agents), Number(steps), delta === "1", Number(poolSize || agents));
}
// the client's own CPU (this process), which shares the machine with what it measures
const cpu = process.cpuUsage();
result.client_cpu_s = +((cpu.user + cpu.system) / 1e6).toFixed(2);
console.log(JSON.stringify(result));
