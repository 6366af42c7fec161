/**
 * `npm run bench`, last line: how fast a platform webhook is acknowledged. Telegram
 * updates arrive at a steady rate (BENCH_WEBHOOK_RATE per second, default 100, for
 * BENCH_WEBHOOK_SECONDS, default 10) at a server in its own process on the embedded
 * store; the time from sending the POST to its 200 (the update verified and durably
 * stored; the turn and the reply come after) is measured. A local fake Bot API takes the
 * replies. Goal: p99 < 50 ms at 100 events/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchServer } from './server.js';
import express from 'express';

const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 10);
const TOKEN = '123456:BENCH-token';
const SECRET = 'bench-webhook-secret-0123';

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
}

/** A Bot API that answers every call at once. */
async function fakeBotApi(): Promise<{ url: string; close: () => void }> {
  const app = express();
  app.use(express.json());
  let id = 1;
  app.post(`/bot${TOKEN}/:method`, (req, res) => {
    if (req.params.method === 'getMe') return res.json({ ok: true, result: { id: 1, is_bot: true, first_name: 'Bench', username: 'bench_bot' } });
    res.json({ ok: true, result: { message_id: id++, date: 0, chat: { id: Number(req.body.chat_id), type: 'private' }, text: '' } });
  });
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => server.close() });
    });
  });
}

async function startServer(dataDir: string, apiRoot: string): Promise<{ url: string; stop: () => void }> {
  const server = await startBenchServer(dataDir, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: apiRoot });
  return { url: `${server.origin}/telegram/webhook`, stop: server.stop };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-bench-webhook-'));
  const api = await fakeBotApi();
  const server = await startServer(dataDir, api.url);
  try {
    const post = (i: number) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify({
          update_id: 1_000_000 + i,
          message: { message_id: i, date: 1795300000, chat: { id: 700_000 + (i % 200), type: 'private' }, from: { id: 700_000 + (i % 200), is_bot: false, first_name: 'A' }, text: 'tro cap nguoi gia bao nhieu' },
        }),
      });
    // Warm-up: the first updates load the lexicon's caches and open the store.
    for (let i = 0; i < 20; i++) await post(i);
    const latencies: number[] = [];
    let errors = 0;
    const total = Math.round(RATE * SECONDS);
    const start = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const sentAt = performance.now();
      inflight.push(
        post(100 + i).then(
          (res) => {
            if (res.ok) latencies.push(performance.now() - sentAt);
            else errors++;
          },
          () => void errors++,
        ),
      );
    }
    await Promise.all(inflight);
    const sorted = latencies.sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 10) / 10;
    console.log(
      JSON.stringify({ bench: 'webhook-ack', channel: 'telegram', store: 'sqlite', eventsPerSecond: RATE, events: total, errors, p50Ms: round(percentile(sorted, 50)), p95Ms: round(percentile(sorted, 95)), p99Ms: round(percentile(sorted, 99)), goalP99Ms: 50 }),
    );
  } finally {
    server.stop();
    api.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
