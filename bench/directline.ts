/**
 * `npm run bench`: N simulated citizens talk to the assistant through the Direct Line
 * endpoints at a steady total rate; prints one JSON line with messages per second and
 * turn latency percentiles (from the inbound POST until the bot's reply is readable
 * through GET /activities). The server runs as its own process on the embedded store.
 *
 * Settings (environment): BENCH_CITIZENS (20), BENCH_RATE messages/s (100),
 * BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (2). Goal on the embedded store: p99 < 100 ms
 * at 100 messages/s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchServer } from './server.js';

const CITIZENS = Number(process.env.BENCH_CITIZENS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);

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

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function startServer(dataDir: string): Promise<{ url: string; stop: () => void }> {
  const server = await startBenchServer(dataDir, { TELEGRAM_BOT_TOKEN: '', DIRECTLINE_TOKENS_PER_MINUTE: String(CITIZENS * 10) });
  return { url: `${server.origin}/v3/directline`, stop: server.stop };
}

interface Citizen {
  token: string;
  conversationId: string;
  watermark: string;
  busy: boolean;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-bench-'));
  const server = await startServer(dataDir);
  try {
    const citizens: Citizen[] = [];
    for (let i = 0; i < CITIZENS; i++) {
      const t = (await (await fetch(`${server.url}/tokens/generate`, { method: 'POST' })).json()) as { token: string; conversationId: string };
      citizens.push({ ...t, watermark: '', busy: false });
    }
    const latencies: number[] = [];
    let sent = 0;
    let errors = 0;
    let skipped = 0;
    const turn = async (c: Citizen, text: string, record: boolean) => {
      c.busy = true;
      const headers = { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' };
      const started = performance.now();
      try {
        const post = await fetch(`${server.url}/conversations/${c.conversationId}/activities`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ type: 'message', text }),
        });
        if (!post.ok) throw new Error(`POST ${post.status}`);
        await post.json();
        for (;;) {
          const res = await fetch(`${server.url}/conversations/${c.conversationId}/activities?watermark=${c.watermark}`, { headers });
          const body = (await res.json()) as { activities: Array<{ from: { role: string } }>; watermark: string };
          c.watermark = body.watermark;
          if (body.activities.some((a) => a.from.role === 'bot')) break;
          if (performance.now() - started > 10_000) throw new Error('no reply within 10 s');
        }
        if (record) latencies.push(performance.now() - started);
      } catch {
        if (record) errors++;
      } finally {
        c.busy = false;
      }
    };
    // Open loop at a steady rate: a message is due every 1000/RATE ms whatever the
    // server's speed; a citizen still waiting for a reply is not sent another.
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
        inflight.push(turn(c, QUESTIONS[i % QUESTIONS.length]!, record));
      }
      await Promise.all(inflight);
      return (performance.now() - start) / 1000;
    };
    await run(WARMUP, false);
    const elapsed = await run(SECONDS, true);
    latencies.sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 10) / 10;
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
  } finally {
    server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
