/**
 * `npm run bench`, Direct Line lines. Simulated citizens talk to the assistant through the
 * Direct Line endpoints; a turn is timed from the inbound POST until the bot's reply is
 * readable through GET /activities. Each server runs as its own process, the assistant on
 * the embedded store.
 *
 * 1. Open loop (`directline-turn`): BENCH_CITIZENS citizens at a steady total rate; turn
 *    latency percentiles. Goal on the embedded store: p99 < 100 ms at 100 messages/s.
 * 2. Closed loop (`directline-closed-loop`): BENCH_CITIZENS citizens, each sending its next
 *    question as soon as the previous reply is readable; completed turns/s against a fresh
 *    assistant, then against a bare Express echo speaking the same Direct Line subset
 *    (echo-server.ts), in the same run. Goal: at least half the echo's turns/s. Beside
 *    the rates, each server's CPU milliseconds per turn (from /proc): a cost that other
 *    work on the machine barely moves, for comparing a change across runs.
 *
 * Settings (environment): BENCH_CITIZENS (20), BENCH_RATE messages/s (100),
 * BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (2, before each measurement),
 * BENCH_CLOSED_SECONDS (15).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchServer, startEchoServer } from './server.js';

const CITIZENS = Number(process.env.BENCH_CITIZENS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CLOSED_SECONDS = Number(process.env.BENCH_CLOSED_SECONDS ?? 15);
const GOAL_RATIO = 0.5;

const QUESTIONS = [
  'tro cap nguoi gia bao nhieu',
  'Người khuyết tật nặng được bao nhiêu tiền mỗi tháng?',
  'lam giay xac nhan khuyet tat o dau',
  'mẹ tui 82 tuổi hông có lương hưu thì lãnh nhiêu',
  'the bhyt cho nguoi huong tro cap',
  'hộ nghèo được hỗ trợ những gì',
  'so dien thoai trung tam',
  'tien mai tang khi nguoi huong tro cap mat',
  'giá vàng hôm nay bao nhiêu',
  'Hỏi câu khác',
];

const round = (n: number) => Math.round(n * 10) / 10;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Server {
  /** Direct Line's base address, ending in /v3/directline. */
  url: string;
  stop: () => Promise<void>;
  cpuMs: () => number | null;
}

/** The assistant on a fresh embedded store; `done` removes the store. */
async function startAssistant(): Promise<Server & { done: () => void }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-bench-'));
  try {
    const server = await startBenchServer(dataDir, { TELEGRAM_BOT_TOKEN: '', DIRECTLINE_TOKENS_PER_MINUTE: String(CITIZENS * 10) });
    return { url: `${server.origin}/v3/directline`, stop: server.stop, cpuMs: server.cpuMs, done: () => rmSync(dataDir, { recursive: true, force: true }) };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** One web user with a conversation of its own, as a page holds it. */
interface Citizen {
  url: string;
  token: string;
  conversationId: string;
  watermark: string;
  busy: boolean;
}

async function newCitizens(url: string, n: number): Promise<Citizen[]> {
  const citizens: Citizen[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/tokens/generate`, { method: 'POST' });
    if (!res.ok) throw new Error(`tokens/generate ${res.status}`);
    const t = (await res.json()) as { token: string; conversationId: string };
    citizens.push({ url, token: t.token, conversationId: t.conversationId, watermark: '', busy: false });
  }
  return citizens;
}

/**
 * One turn: posts the question, then polls GET /activities until a reply from the bot is
 * readable. Resolves with the turn's milliseconds; rejects on an HTTP error or no reply
 * within 10 s.
 */
async function turn(c: Citizen, text: string): Promise<number> {
  c.busy = true;
  const headers = { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' };
  const started = performance.now();
  try {
    const post = await fetch(`${c.url}/conversations/${c.conversationId}/activities`, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text }) });
    if (!post.ok) throw new Error(`POST ${post.status}`);
    await post.json();
    for (;;) {
      const res = await fetch(`${c.url}/conversations/${c.conversationId}/activities?watermark=${c.watermark}`, { headers });
      if (!res.ok) throw new Error(`GET ${res.status}`);
      const body = (await res.json()) as { activities: Array<{ from: { role: string } }>; watermark: string };
      c.watermark = body.watermark;
      if (body.activities.some((a) => a.from.role === 'bot')) return performance.now() - started;
      if (performance.now() - started > 10_000) throw new Error('no reply within 10 s');
    }
  } finally {
    c.busy = false;
  }
}

/**
 * Open loop at a steady rate: a message is due every 1000/RATE ms whatever the server's
 * speed; a citizen still waiting for a reply is not sent another.
 */
async function openLoop(url: string): Promise<void> {
  const citizens = await newCitizens(url, CITIZENS);
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  let skipped = 0;
  const run = async (seconds: number, record: boolean) => {
    const total = Math.round(seconds * RATE);
    const start = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const c = citizens[i % citizens.length]!;
      if (c.busy) {
        if (record) skipped++;
        continue;
      }
      if (record) sent++;
      inflight.push(
        turn(c, QUESTIONS[i % QUESTIONS.length]!).then(
          (ms) => void (record && latencies.push(ms)),
          () => void (record && errors++),
        ),
      );
    }
    await Promise.all(inflight);
    return (performance.now() - start) / 1000;
  };
  await run(WARMUP, false);
  const elapsed = await run(SECONDS, true);
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'directline-turn',
      store: 'sqlite',
      citizens: CITIZENS,
      targetRate: RATE,
      seconds: round(elapsed),
      messages: latencies.length,
      messagesPerSecond: round(latencies.length / elapsed),
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      p99Ms: round(percentile(latencies, 99)),
      errors,
      skippedBusy: skipped,
    })}\n`,
  );
}

/**
 * Closed loop: every citizen sends its next question as soon as the bot's reply to the
 * last one is readable. Turns completed within the BENCH_CLOSED_SECONDS after the warm-up,
 * per second.
 */
async function closedLoop(server: Server): Promise<{ turnsPerSecond: number; errors: number; cpuMsPerTurn: number | null }> {
  const citizens = await newCitizens(server.url, CITIZENS);
  const measureFrom = performance.now() + WARMUP * 1000;
  const measureTo = measureFrom + CLOSED_SECONDS * 1000;
  let turns = 0;
  let errors = 0;
  let cpuFrom: number | null = null;
  let cpuTo: number | null = null;
  const cpuTimers = [
    setTimeout(() => (cpuFrom = server.cpuMs()), measureFrom - performance.now()),
    setTimeout(() => (cpuTo = server.cpuMs()), measureTo - performance.now()),
  ];
  await Promise.all(
    citizens.map(async (c, k) => {
      for (let i = k; performance.now() < measureTo; i++) {
        const ok = await turn(c, QUESTIONS[i % QUESTIONS.length]!).then(
          () => true,
          () => false,
        );
        const at = performance.now();
        if (at < measureFrom || at > measureTo) continue;
        if (ok) turns++;
        else errors++;
      }
    }),
  );
  cpuTimers.forEach(clearTimeout);
  const cpuMsPerTurn = cpuFrom !== null && cpuTo !== null && turns > 0 ? (cpuTo - cpuFrom) / turns : null;
  return { turnsPerSecond: turns / CLOSED_SECONDS, errors, cpuMsPerTurn };
}

async function main(): Promise<void> {
  const open = await startAssistant();
  try {
    await openLoop(open.url);
  } finally {
    await open.stop();
    open.done();
  }

  const assistant = await startAssistant();
  const real = await closedLoop(assistant).finally(async () => {
    await assistant.stop();
    assistant.done();
  });
  const echoServer = await startEchoServer();
  const echo = await closedLoop({ url: `${echoServer.origin}/v3/directline`, stop: echoServer.stop, cpuMs: echoServer.cpuMs }).finally(echoServer.stop);
  if (real.errors || echo.errors) process.stderr.write(`directline-closed-loop: failed turns: assistant ${real.errors}, echo ${echo.errors}\n`);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'directline-closed-loop',
      citizens: CITIZENS,
      turnsPerSecond: round(real.turnsPerSecond),
      echoTurnsPerSecond: round(echo.turnsPerSecond),
      ratio: Math.round((real.turnsPerSecond / echo.turnsPerSecond) * 1000) / 1000,
      goalRatio: GOAL_RATIO,
      serverCpuMsPerTurn: real.cpuMsPerTurn === null ? null : Math.round(real.cpuMsPerTurn * 100) / 100,
      echoCpuMsPerTurn: echo.cpuMsPerTurn === null ? null : Math.round(echo.cpuMsPerTurn * 100) / 100,
    })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
