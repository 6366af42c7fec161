/**
 * `npm run --silent ask -- --jsonl < messages.txt` or `-- --json "một câu hỏi"`:
 * runs the bot's own turn (triage, then the FAQ) on each line as the first message of
 * a new conversation and prints one JSON object per message (see shared/eval/README.md),
 * plus `riskLevel` (none | check-in | urgent) and `referral` (the office that handles a
 * question outside our topics, or null). Nothing else goes to stdout; nothing is
 * stored.
 */
import { createInterface } from 'node:readline';
import type { Effect } from '../flows/chain.js';
import type { DecideTurn } from '../flows/turn.js';
import { centreInfo, loadConfig } from '../server/config.js';
import { buildTurnWiring } from '../server/turn-wiring.js';
import type { Conversation } from '../store/types.js';

/** A new conversation that exists only for this message. */
function firstConversation(now: Date): Conversation {
  return {
    id: 'ask',
    channel: 'webchat',
    userId: 'ask',
    chatId: 'ask',
    reference: {},
    status: 'bot',
    createdAt: now,
    updatedAt: now,
    lastInboundAt: now,
    risk: null,
    undeliverable: null,
  };
}

/** The `ask` fields, read off the effects the turn decided. */
function askResult(text: string, effects: readonly Effect[]) {
  const faq = effects.find((e): e is Extract<Effect, { type: 'faq' }> => e.type === 'faq');
  const raised = effects.find((e): e is Extract<Effect, { type: 'raise-risk' }> => e.type === 'raise-risk');
  const reply = effects.filter((e): e is Extract<Effect, { type: 'reply' }> => e.type === 'reply').map((e) => e.reply.text).join('\n\n');
  return {
    text,
    topic: faq?.topic ?? null,
    // A referral answers from no entry of ours: topic and entry null, the office named.
    entryId: faq?.referral ? null : (faq?.entryId ?? null),
    referral: faq?.referral ?? null,
    confidence: Math.round((faq?.confidence ?? 0) * 1000) / 1000,
    risk: raised?.level === 'urgent' ? raised.category : null,
    riskLevel: raised?.level ?? 'none',
    handoff: effects.some((e) => e.type === 'request-handoff'),
    reply,
  };
}

async function toJson(decide: DecideTurn, text: string): Promise<string> {
  const now = new Date();
  const effects = await decide({
    text: text.trim(),
    conversation: firstConversation(now),
    messageId: null,
    position: 0,
    earlier: async () => [],
    memory: {},
    now,
  });
  return JSON.stringify(askResult(text, effects));
}

async function main(argv: string[]): Promise<number> {
  const config = loadConfig();
  const { decide } = await buildTurnWiring(config, centreInfo(config), (msg) => process.stderr.write(`${msg}\n`));
  const jsonIndex = argv.indexOf('--json');
  if (jsonIndex >= 0) {
    const text = argv[jsonIndex + 1];
    if (!text) {
      process.stderr.write('usage: ask --json "câu hỏi"  |  ask --jsonl < messages.txt\n');
      return 2;
    }
    process.stdout.write(`${await toJson(decide, text)}\n`);
    return 0;
  }
  if (!argv.includes('--jsonl')) {
    process.stderr.write('usage: ask --json "câu hỏi"  |  ask --jsonl < messages.txt\n');
    return 2;
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    // Keep one output line per input line, so results stay aligned with the input.
    process.stdout.write(`${await toJson(decide, line)}\n`);
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
