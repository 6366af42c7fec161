/**
 * `npm run --silent ask -- --jsonl < messages.txt` or `-- --json "một câu hỏi"`:
 * runs the bot's triage and answer pipeline on free-text first messages and prints one
 * JSON object per message (see shared/eval/README.md). Nothing else goes to stdout.
 */
import { createInterface } from 'node:readline';
import { centreInfo, loadConfig } from '../server/config.js';
import { buildAnswerPipeline } from '../server/answer-wiring.js';
import type { AnswerPipeline } from '../flows/answer.js';

async function toJson(pipeline: AnswerPipeline, text: string): Promise<string> {
  const r = await pipeline.answer(text);
  return JSON.stringify({
    text,
    topic: r.topic,
    entryId: r.entryId,
    confidence: Math.round(r.confidence * 1000) / 1000,
    risk: r.risk,
    handoff: r.handoff,
    reply: r.reply.text,
  });
}

async function main(argv: string[]): Promise<number> {
  const config = loadConfig();
  const pipeline = await buildAnswerPipeline(config, centreInfo(config), (msg) => process.stderr.write(`${msg}\n`));
  const jsonIndex = argv.indexOf('--json');
  if (jsonIndex >= 0) {
    const text = argv[jsonIndex + 1];
    if (!text) {
      process.stderr.write('usage: ask --json "câu hỏi"  |  ask --jsonl < messages.txt\n');
      return 2;
    }
    process.stdout.write(`${await toJson(pipeline, text)}\n`);
    return 0;
  }
  if (!argv.includes('--jsonl')) {
    process.stderr.write('usage: ask --json "câu hỏi"  |  ask --jsonl < messages.txt\n');
    return 2;
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    // Keep one output line per input line, so results stay aligned with the input.
    process.stdout.write(`${await toJson(pipeline, line)}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
