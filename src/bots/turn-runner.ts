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

export const CONVERSATION_KEY = Symbol('ctxh.conversation');
/** The stored inbound message a turn acts on (StoredMessage). */
export const MESSAGE_KEY = Symbol('ctxh.message');

/**
 * Wraps every turn with the house rules: nothing received is acted on before it is
 * stored (and a redelivered platform message is stored and answered once), every
 * outbound message is stored before the channel sends it, and turns of one
 * conversation run one after another in arrival order.
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
      activity: JSON.parse(JSON.stringify({ ...activity, timestamp: activity.timestamp ?? at })),
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
    const { store, bot, now } = this.deps;
    await adapter.processActivity(activity, async (context) => {
      context.turnState.set(CONVERSATION_KEY, conversation);
      context.turnState.set(MESSAGE_KEY, message);
      this.storeBeforeSending(context, conversation);
      await bot.run(context);
    });
    await store.messages.markHandled(message.id, now());
  }

  /** Every message the bot sends in this context is stored first, then sent. */
  private storeBeforeSending(context: TurnContext, conversation: Conversation): void {
    const { store, now } = this.deps;
    context.onSendActivities(async (_ctx, activities, sendNext) => {
      for (const a of activities) {
        if (a.type !== 'message') continue;
        // A person's message (a counsellor's) is sent as from them: botbuilder set `from` to the bot.
        const author = (a.channelData as { author?: { staffId: string; name: string } } | undefined)?.author;
        if (author) a.from = { id: `staff:${author.staffId}`, name: author.name, role: 'bot' };
        a.id ??= randomUUID();
        a.timestamp ??= now();
        await store.messages.recordOutbound({
          conversationId: conversation.id,
          channel: conversation.channel,
          direction: 'out',
          platformMessageId: null,
          text: a.text ?? '',
          activity: JSON.parse(JSON.stringify(a)),
          createdAt: now(),
        });
        this.deps.onStored?.(conversation.id);
      }
      return sendNext();
    });
  }

  /**
   * Sends the bot's own message outside a turn (an unanswered check-in that became
   * urgent), on the conversation's channel, stored first like every reply. Sent once,
   * best effort: a failed send is logged, not retried (the outbox issue adds retries).
   */
  async sendProactive(conversation: Conversation, activity: Partial<Activity>): Promise<void> {
    const adapter = this.adapters.get(conversation.channel);
    if (!adapter) throw new Error(`no adapter for channel ${conversation.channel}`);
    await adapter.continueConversation(conversation.reference, async (context) => {
      this.storeBeforeSending(context, conversation);
      await context.sendActivity(activity);
    });
  }

  /**
   * Answers inbound messages that were stored but never answered (a crash mid-turn, a
   * failed send) and whose claim has run out. Safe on several instances at once: each
   * message is claimed before it is run.
   */
  async recover(): Promise<number> {
    const pending = await this.deps.store.messages.listUnhandledInbound(500);
    let count = 0;
    for (const message of pending) {
      const conversation = await this.deps.store.conversations.get(message.conversationId);
      if (!conversation || !this.adapters.has(conversation.channel)) continue;
      if (!(await this.claim(message))) continue;
      await this.run({ conversation, message, activity: message.activity as Partial<Activity> });
      count++;
    }
    return count;
  }

  /** Resolves when every turn started so far has finished (for shutdown and tests). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }
}
