/**
 * The outbox: every outbound message is stored first (the TurnRunner does that, queued),
 * and sent from the store by this worker, one conversation at a time and in order. A
 * platform call that fails for a while (rate limit, 5xx, network) is tried again later,
 * honouring the platform's retry_after; one the platform refuses for good (the citizen
 * blocked the bot, the messaging window closed, no such recipient) is recorded on the
 * message and the conversation, not retried, and shown to counsellors.
 *
 * Several app instances may share one store: a lease per conversation ("outbox:<id>")
 * lets one of them send a conversation's messages at a time, and every step of a
 * delivery is a compare-and-set on its status. A message left 'sending' by a process
 * that died mid-call may have arrived: it becomes 'unconfirmed' and is never sent again,
 * so nobody gets a reply twice.
 *
 * Shaped like grammY's API client: one call path (ChannelSender.send) that every message
 * goes through, and options whose docs give default, effect and when to change them.
 *
 * @example
 * const outbox = new Outbox({ store, now, log, holder });
 * outbox.register(new TelegramSender(telegram));
 * outbox.kick(conversationId);   // after storing: send now, don't wait for the timer
 * outbox.start();                // the timer: retries that came due, other instances' leftovers
 */
import type { Activity } from 'botbuilder';
import type { Logger } from 'pino';
import type { Channel, Conversation, Store, StoredMessage } from '../store/types.js';

/** Sends one stored message on its platform. Throws DeliveryError to say whether to try again. */
export interface ChannelSender {
  readonly channel: Channel;
  send(conversation: Conversation, activity: Partial<Activity>): Promise<{ platformMessageId: string | null }>;
}

/**
 * A failed platform call, classified by the sender that knows the platform: 'retry'
 * (rate limit, 5xx, network; `retryAfterMs` when the platform said how long) or
 * 'permanent' (blocked, window closed, invalid recipient). `code` is short and has no
 * personal data: it is stored on the message and shown to counsellors.
 * `conversationWide` (default true): the refusal holds for every later message too, so
 * the conversation is marked undeliverable; false when it is about this message only (a
 * bot message past the 24-hour window, which a counsellor's reply may still pass).
 */
export class DeliveryError extends Error {
  constructor(
    readonly kind: 'retry' | 'permanent',
    readonly code: string,
    readonly retryAfterMs?: number,
    readonly conversationWide = true,
  ) {
    super(`delivery ${kind}: ${code}`);
    this.name = 'DeliveryError';
  }
}

export interface OutboxOptions {
  /**
   * Wait before the first retry, doubled at each further attempt (with up to 20 % jitter).
   * Default 1000 ms. A platform's retry_after wins when it is longer.
   */
  baseDelayMs?: number;
  /** The longest wait between two attempts. Default 5 minutes. */
  maxDelayMs?: number;
  /**
   * After this many attempts a message fails as 'gave-up' (a platform down for hours
   * should not leave a counsellor believing it went). Default 12 (about half an hour).
   */
  maxAttempts?: number;
  /**
   * How long one instance may hold a conversation's sending. Longer than any platform
   * call can take (the senders time out sooner). Default 30 s.
   */
  leaseMs?: number;
  /** How often the store is read for messages that came due. Default 1000 ms. */
  pollMs?: number;
}

export interface OutboxDeps {
  store: Pick<Store, 'messages' | 'conversations' | 'leases' | 'audit' | 'committed'>;
  now: () => Date;
  log: Logger;
  /** Unique per process: the lease holder. */
  holder: string;
  /** Told once per message that failed for good (the console shows it). */
  onFailed?: (conversation: Conversation, message: StoredMessage, code: string) => void;
}

export class Outbox {
  private readonly senders = new Map<Channel, ChannelSender>();
  /** In-process: one drain per conversation at a time; a kick during a drain runs it again after. */
  private readonly draining = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly options: Required<OutboxOptions>;

  constructor(
    private readonly deps: OutboxDeps,
    options: OutboxOptions = {},
  ) {
    this.options = {
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 5 * 60_000,
      maxAttempts: options.maxAttempts ?? 12,
      leaseMs: options.leaseMs ?? 30_000,
      pollMs: options.pollMs ?? 1000,
    };
  }

  register(sender: ChannelSender): void {
    this.senders.set(sender.channel, sender);
  }

  /** Sends what is due in this conversation now (after a message was stored). Never throws. */
  kick(conversationId: string): void {
    if (this.draining.has(conversationId)) {
      this.again.add(conversationId);
      return;
    }
    const run = this.drain(conversationId)
      .catch((err) => this.deps.log.error({ conversationId, error: err instanceof Error ? err.name : 'unknown' }, 'outbox drain failed'))
      .finally(() => {
        this.draining.delete(conversationId);
        if (this.again.delete(conversationId)) this.kick(conversationId);
      });
    this.draining.set(conversationId, run);
  }

  /** One pass over every conversation with something due (retries, other instances' leftovers). */
  async drainDue(): Promise<void> {
    const due = await this.deps.store.messages.listOutboxDue(this.deps.now(), 200);
    for (const id of due) this.kick(id);
    await this.idle();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.drainDue().catch((err) => this.deps.log.error({ error: err instanceof Error ? err.name : 'unknown' }, 'outbox pass failed')), this.options.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Resolves when every drain started so far has finished (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.draining.size > 0) await Promise.all([...this.draining.values()]);
  }

  private async drain(conversationId: string): Promise<void> {
    const { store, now, holder } = this.deps;
    const lease = `outbox:${conversationId}`;
    if (!(await store.leases.acquire(lease, holder, now(), new Date(now().getTime() + this.options.leaseMs)))) return;
    try {
      for (;;) {
        const message = await store.messages.nextOutbound(conversationId);
        if (!message?.delivery) return;
        const conversation = await store.conversations.get(conversationId);
        if (!conversation) return;
        if (message.delivery.status === 'sending') {
          // We hold the lease and are not sending it: its sender died mid-call. It may
          // have arrived, so it is not sent again.
          await store.messages.setDelivery(message.id, { status: 'unconfirmed', at: now() });
          await this.record('outbox.unconfirmed', conversation, message, 'interrupted');
          continue;
        }
        if (message.delivery.nextAttemptAt && message.delivery.nextAttemptAt > now()) return;
        if (!(await this.deliver(conversation, message))) return;
        // Each message renews the lease: a long backlog does not outlive it.
        await store.leases.acquire(lease, holder, now(), new Date(now().getTime() + this.options.leaseMs));
      }
    } finally {
      await store.leases.release(lease, holder);
    }
  }

  /** One message: true when the next one may go (sent, or failed for good), false to stop (a retry is scheduled). */
  private async deliver(conversation: Conversation, message: StoredMessage): Promise<boolean> {
    const { store, now } = this.deps;
    if (conversation.undeliverable) {
      await store.messages.setDelivery(message.id, { status: 'failed', error: conversation.undeliverable.reason, at: now() });
      return true;
    }
    const sender = this.senders.get(conversation.channel);
    if (!sender) {
      // This instance has no sender for the channel (not configured here): leave it for one that has.
      return false;
    }
    if (!(await store.messages.setDelivery(message.id, { status: 'sending', at: now() }))) return false;
    // Sent at most once: the platform hears of it only after 'sending' is committed (a crash then leaves it unconfirmed, not resent).
    await store.committed();
    let sent: { platformMessageId: string | null };
    try {
      sent = await sender.send(conversation, message.activity as Partial<Activity>);
    } catch (err) {
      const failure = err instanceof DeliveryError ? err : new DeliveryError('retry', 'error');
      const attempts = message.delivery!.attempts + 1;
      if (failure.kind === 'permanent' || attempts >= this.options.maxAttempts) {
        const code = failure.kind === 'permanent' ? failure.code : `gave-up:${failure.code}`;
        await store.messages.setDelivery(message.id, { status: 'failed', error: code, at: now() });
        if (failure.kind === 'permanent' && failure.conversationWide) await store.conversations.markUndeliverable(conversation.id, code, now());
        await this.record('outbox.failed', conversation, message, code);
        this.deps.onFailed?.(conversation, message, code);
        return true;
      }
      const wait = Math.max(failure.retryAfterMs ?? 0, this.backoff(attempts));
      await store.messages.setDelivery(message.id, { status: 'queued', nextAttemptAt: new Date(now().getTime() + wait), error: failure.code });
      this.deps.log.warn({ conversationId: conversation.id, messageId: message.id, code: failure.code, attempts, waitMs: wait }, 'outbound message will be retried');
      return false;
    }
    // It went. If recording that fails, the message stays 'sending' and later becomes
    // 'unconfirmed': never a second send of something the platform took.
    await store.messages.setDelivery(message.id, { status: 'sent', at: now(), platformMessageId: sent.platformMessageId });
    return true;
  }

  /** Exponential with jitter: 1 s, 2 s, 4 s… up to maxDelayMs. */
  private backoff(attempts: number): number {
    const plain = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempts - 1));
    return Math.round(plain * (1 + Math.random() * 0.2));
  }

  private record(action: string, conversation: Conversation, message: StoredMessage, code: string) {
    this.deps.log.warn({ conversationId: conversation.id, messageId: message.id, code }, action);
    return this.deps.store.audit.append({ at: this.deps.now(), actor: 'system', action, subject: conversation.id, detail: { messageId: message.id, code } });
  }
}
