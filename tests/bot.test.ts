import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity, Storage } from 'botbuilder';
import { handoffOver } from './support/builders.js';
import { describe, expect, it } from 'vitest';
import { DirectLineAdapter } from '../src/bots/directline/adapter.js';
import { AnswerPipeline } from '../src/flows/answer.js';
import { CtxhBot } from '../src/flows/bot.js';
import { shippedLexicon } from '../src/flows/triage/index.js';
import { buildTurn } from '../src/flows/turn.js';
import { KnowledgeBase } from '../src/kb/knowledge-base.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

const kb = KnowledgeBase.fromDirectory(join(import.meta.dirname, '..', 'knowledge'));

function activity(id: string, text: string): Partial<Activity> {
  return {
    type: 'message',
    id,
    channelId: 'webchat',
    from: { id: 'u1', name: 'Lan' },
    recipient: { id: 'bot', name: 'bot' },
    conversation: { id: 'c1', isGroup: false, conversationType: 'personal', name: '' },
    text,
  };
}

describe('bot turns', () => {
  it('survives two turns of one conversation racing on the same state', async () => {
    const store = openSqliteStore(mkdtempSync(join(tmpdir(), 'ctxh-bot-')));
    const pipeline = new AnswerPipeline({ kb, centre: { name: 'Trung tâm' }, thresholds: { answer: 0.5, clarify: 0.42 } });
    // The real store, with writes held until both racing turns have read: the race, made
    // certain. A first turn creates the state, so the racers both read its eTag.
    let racing = false;
    let reads = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const storage: Storage = {
      read: async (keys) => {
        const items = await store.botState.read(keys);
        if (racing && ++reads === 2) release();
        return items;
      },
      write: async (changes) => {
        if (racing) await bothRead;
        return store.botState.write(changes);
      },
      delete: (keys) => store.botState.delete(keys),
    };
    const lexicon = shippedLexicon();
    const bot = new CtxhBot({
      decide: buildTurn({ pipeline, lexicon, centre: { name: 'Trung tâm' } }),
      store: { ...store, botState: storage },
      centre: { name: 'Trung tâm' },
      now: () => new Date(),
      triageWindow: lexicon.rules.context,
      handoff: handoffOver(store),
      reopenMs: 3_600_000,
    });
    const adapter = new DirectLineAdapter();
    const replies: string[] = [];
    const turn = (a: Partial<Activity>) =>
      adapter.processActivity(a, async (context) => {
        context.onSendActivities(async (_c, acts, next) => {
          for (const x of acts) replies.push(x.text ?? '');
          return next();
        });
        await bot.run(context);
      });
    await turn(activity('first', 'alo'));
    racing = true;
    // Both turns read the state before either writes it back.
    await expect(Promise.all([turn(activity('a', 'tro cap nguoi gia bao nhieu')), turn(activity('b', 'the bhyt'))])).resolves.toBeDefined();
    expect(replies).toHaveLength(3);
    const state = Object.values(await store.botState.read(['webchat/conversations/c1/']))[0] as { memory?: { turns: number } } | undefined;
    // botbuilder's BotState writes with eTag '*': the last write wins and neither turn fails.
    expect(state?.memory?.turns).toBe(2);
    await store.close();
  });
});
