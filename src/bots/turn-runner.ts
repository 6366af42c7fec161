import { randomUUID } from 'node:crypto';
import { TurnContext, type Activity, type ActivityHandler } from 'botbuilder';
import type { Logger } from 'pino';
import type { Channel, Conversation, Store, StoredMessage } from '../store/types.js';
import type { ChannelAdapter } from './channel-adapter.js';

/** The stored inbound message and its conversation, ready for a turn. */
export interface AcceptedActivity {
  conversation: Conversation;
  message: StoredMessage;
  activity: Partial<Activity>;
}

/**
 * The web chat reads its messages from the store (Direct Line's GET /activities): a
 * message stored is a message delivered, so it is stored as sent and the outbox has
 * nothing to do for it. Every other channel's messages are queued for the outbox.
 */
function deliveredByStoring(channel: Channel): boolean {
  return channel === 'webchat';
}

export const CONVERSATION_KEY = Symbol('ctxh.conversation');
/** The stored inbound message a turn acts on (StoredMessage). */
export const MESSAGE_KEY = Symbol('ctxh.message');

/**
 * Wraps every turn with the house rules: nothing received is acted on before it is
 * stored (and a redelivered platform message is stored and answered once), every
 * outbound message is stored before it is sent (the outbox sends it from the store), and
 * turns of one conversation run one after another in arrival order.
 *
 * A turn's replies are stored under (inbound message, 0, 1, 2…): a turn run again after
 * a crash, or by a second instance after a claim ran out, finds its replies already
 * stored and sends nothing twice. While a turn runs, its claim is renewed, so a slow
 * turn is not taken by recovery meanwhile.
 */
export class TurnRunner {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly adapters = new Map<Channel, ChannelAdapter>();

  constructor(
    private readonly deps: {
      store: Store;
      bot: ActivityHandler;
      now: () => Date;
      log: Logger;
      /** How long a claim on an inbound message lasts before another attempt may take it. */
      retryAfterMs: number;
      /** Told after a message of a conversation is stored, in or out (the console's live view). */
      onStored?: (conversationId: string) => void;
      /** Sends what was stored (src/bots/outbox.ts); kicked after each turn and proactive message. */
      outbox?: { kick(conversationId: string): void };
    },
  ) {}

  private claim(message: StoredMessage): Promise<boolean> {
    const now = this.deps.now();
    return this.deps.store.messages.claimInbound(message.id, now, new Date(now.getTime() + this.deps.retryAfterMs));
  }

  register(adapter: ChannelAdapter): void {
    this.adapters.set(adapter.channel, adapter);
  }

  /** Stores the inbound activity; null when this platform message was stored before. */
  async accept(channel: Channel, activity: Partial<Activity>): Promise<AcceptedActivity | null> {
    const { store, now } = this.deps;
    const at = now();
    const reference = TurnContext.getConversationReference(activity) as Record<string, unknown>;
    const conversation = await store.conversations.upsert(
      { channel, userId: String(activity.from?.id ?? ''), chatId: String(activity.conversation?.id ?? '') },
      reference,
      at,
    );
    const { message, duplicate } = await store.messages.recordInbound({
      conversationId: conversation.id,
      channel,
      direction: 'in',
      platformMessageId: activity.id ?? null,
      text: activity.text ?? '',
      // The store keeps it as JSON text, written before the call returns to us: no copy needed.
      activity: { ...activity, timestamp: activity.timestamp ?? at },
      createdAt: at,
    });
    if (duplicate) {
      this.deps.log.info({ channel, conversationId: conversation.id }, 'duplicate delivery ignored');
      return null;
    }
    await store.conversations.touchInbound(conversation.id, at);
    this.deps.onStored?.(conversation.id);
    // The receiving instance acts on it; if it dies or the reply fails, the claim runs
    // out and recovery (here or on another instance) takes the message again.
    if (!(await this.claim(message))) return null;
    // Received means kept: whoever acknowledges the message (a webhook's 200, the next poll) does so after this.
    await store.committed();
    return { conversation, message, activity };
  }

  /** Runs the bot on an accepted activity after earlier turns of the same conversation. */
  run(accepted: AcceptedActivity): Promise<void> {
    const key = accepted.conversation.id;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.runNow(accepted)).catch((err) => {
      this.deps.log.error({ err, conversationId: key, messageId: accepted.message.id }, 'turn failed; will retry on recovery');
    });
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  private async runNow({ conversation, message, activity }: AcceptedActivity): Promise<void> {
    const adapter = this.adapters.get(conversation.channel);
    if (!adapter) throw new Error(`no adapter for channel ${conversation.channel}`);
    const { store, bot, now, retryAfterMs } = this.deps;
    // Renew the claim while the turn runs, well before it would run out.
    const renew = setInterval(() => {
      void store.messages.extendClaim(message.id, new Date(now().getTime() + retryAfterMs)).catch(() => undefined);
    }, Math.max(250, retryAfterMs / 3));
    try {
      await adapter.processActivity(activity, async (context) => {
        context.turnState.set(CONVERSATION_KEY, conversation);
        context.turnState.set(MESSAGE_KEY, message);
        this.storeBeforeSending(context, conversation, message.id);
        await bot.run(context);
      });
      await store.messages.markHandled(message.id, now());
    } finally {
      clearInterval(renew);
      this.kickOutbox(conversation);
    }
  }

  /** The outbox sends what a turn stored; a web chat's replies were delivered by being stored. */
  private kickOutbox(conversation: Conversation): void {
    if (!deliveredByStoring(conversation.channel)) this.deps.outbox?.kick(conversation.id);
  }

  /**
   * Every message the bot sends in this context is stored first, queued for the outbox
   * (web chat: delivered by being stored). `replyTo`: the inbound message whose turn this
   * is, so a turn run twice stores each reply once.
   */
  private storeBeforeSending(context: TurnContext, conversation: Conversation, replyTo: string | null): void {
    const { store, now } = this.deps;
    let replyIndex = 0;
    context.onSendActivities(async (_ctx, activities, sendNext) => {
      for (const a of activities) {
        if (a.type !== 'message') continue;
        // A person's message (a counsellor's) is sent as from them: botbuilder set `from` to the bot.
        const author = (a.channelData as { author?: { staffId: string; name: string } } | undefined)?.author;
        if (author) a.from = { id: `staff:${author.staffId}`, name: author.name, role: 'bot' };
        a.id ??= randomUUID();
        a.timestamp ??= now();
        // Outside a turn nothing is being answered: botbuilder would name the reference's old message.
        if (replyTo === null || replyTo.startsWith('once:')) delete a.replyToId;
        const { duplicate } = await store.messages.recordOutbound({
          conversationId: conversation.id,
          channel: conversation.channel,
          direction: 'out',
          platformMessageId: null,
          text: a.text ?? '',
          activity: a,
          createdAt: now(),
          replyTo,
          replyIndex: replyIndex++,
          delivery: deliveredByStoring(conversation.channel) ? 'sent' : 'queued',
        });
        if (!duplicate) this.deps.onStored?.(conversation.id);
      }
      return sendNext();
    });
  }

  /**
   * Sends a message outside a turn (a counsellor's reply, an unanswered check-in that
   * became urgent, the queue's news) on the conversation's channel: stored first, then
   * sent by the outbox like every reply. With `onceKey`, the message is stored at most
   * once under that key, however many instances send it at the same moment (a greeting).
   */
  async sendProactive(conversation: Conversation, activity: Partial<Activity>, options: { onceKey?: string } = {}): Promise<void> {
    const adapter = this.adapters.get(conversation.channel);
    if (!adapter) throw new Error(`no adapter for channel ${conversation.channel}`);
    await adapter.continueConversation(conversation.reference, async (context) => {
      this.storeBeforeSending(context, conversation, options.onceKey ? `once:${options.onceKey}` : null);
      await context.sendActivity(activity);
    });
    this.kickOutbox(conversation);
  }

  /**
   * Answers inbound messages that were stored but never answered (a crash mid-turn, a
   * failed send) and whose claim has run out. Safe on several instances at once: each
   * message is claimed before it is run.
   */
  async recover(): Promise<number> {
    const pending = await this.deps.store.messages.listUnhandledInbound(500);
    // Conversations are recovered side by side (run() keeps each one's turns in order), so a
    // backlog after a crash does not take a slow turn's time per message.
    const turns: Promise<void>[] = [];
    for (const message of pending) {
      const conversation = await this.deps.store.conversations.get(message.conversationId);
      if (!conversation || !this.adapters.has(conversation.channel)) continue;
      if (!(await this.claim(message))) continue;
      // A process killed between storing the message and noting its time left the
      // conversation without it: the reply window (Zalo, Messenger) is counted from it.
      if (!conversation.lastInboundAt || conversation.lastInboundAt < message.createdAt) {
        await this.deps.store.conversations.touchInbound(conversation.id, message.createdAt);
        conversation.lastInboundAt = message.createdAt;
      }
      turns.push(this.run({ conversation, message, activity: message.activity as Partial<Activity> }));
    }
    await Promise.all(turns);
    return turns.length;
  }

  /** Resolves when every turn started so far has finished (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }
}
