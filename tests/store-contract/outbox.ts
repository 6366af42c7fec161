/**
 * The outbox worker (src/bots/outbox.ts) on every store: SQLite always, and MongoDB when
 * there is a lane. The platform is a sender written here (the boundary the outbox calls),
 * so what is checked is the worker and the store together: order per conversation,
 * retries with the platform's wait, a permanent failure recorded once, a stale 'sending'
 * never sent again, and two instances on one store never sending a message twice.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError, Outbox, type ChannelSender } from '../../src/bots/outbox.js';
import type { Conversation, Store } from '../../src/store/types.js';
import { storeLanes } from '../support/mongo-lane.js';

const lanes = storeLanes('ctxh-outbox-');
const silent = pino({ level: 'silent' });

/** A platform that records what it got and fails as told, per text. */
function platform() {
  const got: string[] = [];
  const failures = new Map<string, DeliveryError[]>();
  const sender: ChannelSender = {
    channel: 'telegram',
    async send(_conversation, activity) {
      const text = String(activity.text);
      const planned = failures.get(text)?.shift();
      if (planned) throw planned;
      got.push(text);
      // Unique like a platform's ids: the store keeps (channel, platform id) unique.
      return { platformMessageId: `p-${randomUUID()}` };
    },
  };
  return { sender, got, failWith: (text: string, ...errors: DeliveryError[]) => failures.set(text, errors) };
}

describe.each(lanes)('outbox on the store: $name', ({ open }) => {
  let store: Store;
  let clock = new Date('2026-11-30T03:00:00Z').getTime();
  const now = () => new Date(clock);
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });

  async function conversationWith(texts: string[]): Promise<Conversation> {
    const chat = randomUUID();
    const conversation = await store.conversations.upsert({ channel: 'telegram', userId: chat, chatId: chat }, {}, now());
    for (const [i, text] of texts.entries()) {
      await store.messages.recordOutbound({
        conversationId: conversation.id,
        channel: 'telegram',
        direction: 'out',
        platformMessageId: null,
        text,
        activity: { type: 'message', text },
        createdAt: now(),
        replyTo: null,
        replyIndex: i,
        delivery: 'queued',
      });
    }
    return conversation;
  }

  const outboxOn = (holder: string, sender: ChannelSender) => {
    const outbox = new Outbox({ store, now, log: silent, holder }, { baseDelayMs: 1000 });
    outbox.register(sender);
    return outbox;
  };

  const statuses = async (c: Conversation) => (await store.messages.listByConversation(c.id)).map((m) => m.delivery?.status);

  it('sends in order, waits out a rate limit without letting later messages pass, then sends each once', async () => {
    const p = platform();
    p.failWith('một', new DeliveryError('retry', 'rate-limited', 30_000));
    const c = await conversationWith(['một', 'hai', 'ba']);
    const outbox = outboxOn('a', p.sender);
    outbox.kick(c.id);
    await outbox.idle();
    expect(p.got).toEqual([]);
    expect(await statuses(c)).toEqual(['queued', 'queued', 'queued']);
    clock += 10_000;
    await outbox.drainDue();
    expect(p.got).toEqual([]);
    clock += 25_000;
    await outbox.drainDue();
    expect(p.got).toEqual(['một', 'hai', 'ba']);
    expect(await statuses(c)).toEqual(['sent', 'sent', 'sent']);
    await outbox.drainDue();
    expect(p.got).toEqual(['một', 'hai', 'ba']);
  });

  it('records a permanent refusal once, marks the conversation, and fails what follows without calling the platform', async () => {
    const p = platform();
    p.failWith('một', new DeliveryError('permanent', 'blocked'));
    const c = await conversationWith(['một', 'hai']);
    const outbox = outboxOn('a', p.sender);
    outbox.kick(c.id);
    await outbox.idle();
    await outbox.drainDue();
    expect(p.got).toEqual([]);
    expect(await statuses(c)).toEqual(['failed', 'failed']);
    expect((await store.conversations.get(c.id))?.undeliverable?.reason).toBe('blocked');
    expect(await store.audit.list({ subject: c.id, action: 'outbox.failed' })).toHaveLength(1);
  });

  it('never sends again a message left "sending" by a process that died, and goes on with the next', async () => {
    const p = platform();
    const c = await conversationWith(['một', 'hai']);
    const [first] = await store.messages.listByConversation(c.id);
    expect(await store.messages.setDelivery(first!.id, { status: 'sending', at: now() })).toBe(true);
    const outbox = outboxOn('b', p.sender);
    await outbox.drainDue();
    expect(p.got).toEqual(['hai']);
    expect(await statuses(c)).toEqual(['unconfirmed', 'sent']);
  });

  it('never sends twice when recording a send fails (here: a platform id the store already holds)', async () => {
    const c = await conversationWith(['một', 'hai']);
    const calls: string[] = [];
    const duplicateIds: ChannelSender = {
      channel: 'telegram',
      async send(_conversation, activity) {
        calls.push(String(activity.text));
        return { platformMessageId: 'same-id-every-time' };
      },
    };
    const outbox = outboxOn('c', duplicateIds);
    await outbox.drainDue();
    await outbox.drainDue();
    await outbox.drainDue();
    // The first is recorded; the second went but could not be recorded: it is never sent again.
    expect(calls).toEqual(['một', 'hai']);
    expect(await statuses(c)).toEqual(['sent', 'unconfirmed']);
  });

  it('lets two instances on one store send each message once', async () => {
    const p = platform();
    const conversations = await Promise.all([1, 2, 3].map((n) => conversationWith([`${n}a`, `${n}b`, `${n}c`])));
    const a = outboxOn('instance-a', p.sender);
    const b = outboxOn('instance-b', p.sender);
    for (const c of conversations) {
      a.kick(c.id);
      b.kick(c.id);
    }
    await Promise.all([a.idle(), b.idle()]);
    await Promise.all([a.drainDue(), b.drainDue()]);
    expect([...p.got].sort()).toEqual(['1a', '1b', '1c', '2a', '2b', '2c', '3a', '3b', '3c']);
    // And in order within each conversation.
    for (const n of [1, 2, 3]) expect(p.got.filter((t) => t.startsWith(String(n)))).toEqual([`${n}a`, `${n}b`, `${n}c`]);
  });
});
