/**
 * The console's live feed (GET /console/api/events, Server-Sent Events): the queue and
 * open conversations change on screen without a reload. Two sources, so nothing depends
 * on which instance a change happened on:
 *   - this instance's HandoffEvents, passed on at once;
 *   - a poll of the store every `pollMs` (default 2 s) that notices what other instances
 *     changed: the open tickets' fingerprint, and new messages in open conversations.
 * Events carry ids only; the page fetches what it shows through the API (so each read is
 * checked against the session, and nothing personal rides on the stream).
 *
 * @example app.get('/console/api/events', requireStaff(), live.handler)
 */
import type { Request, Response } from 'express';
import type { HandoffEvent, HandoffEvents } from '../handoff/events.js';
import type { Store } from '../store/types.js';

type LiveEvent = HandoffEvent | { type: 'queue' };

export class LiveFeed {
  private readonly clients = new Set<Response>();
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private fingerprint = '';
  private readonly lastPosition = new Map<string, number>();
  private polling = false;

  constructor(
    private readonly deps: {
      store: Pick<Store, 'tickets' | 'messages'>;
      events: HandoffEvents;
      /** How often the store is read for other instances' changes (ms); default 2000. */
      pollMs?: number;
    },
  ) {
    deps.events.subscribe((e) => this.broadcast(e));
  }

  /** The SSE endpoint: put requireStaff() before it. */
  readonly handler = (req: Request, res: Response): void => {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    this.clients.add(res);
    this.start();
    req.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stop();
    });
  };

  private broadcast(event: LiveEvent): void {
    const data = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const res of this.clients) res.write(data);
  }

  private start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.deps.pollMs ?? 2000);
    this.timer.unref();
    // A comment line now and then keeps proxies from closing a quiet stream.
    this.heartbeat = setInterval(() => {
      for (const res of this.clients) res.write(': ping\n\n');
    }, 25_000);
    this.heartbeat.unref();
  }

  private stop(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = undefined;
    this.heartbeat = undefined;
  }

  /** Other instances' changes: the open tickets' state, and new messages in their conversations. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const open = await this.deps.store.tickets.list({ limit: 500 });
      const fingerprint = open.map((t) => `${t.id}:${t.status}:${t.priority}:${t.assigneeId}:${t.raises}:${t.updatedAt.getTime()}`).join('|');
      if (fingerprint !== this.fingerprint) {
        this.fingerprint = fingerprint;
        this.broadcast({ type: 'queue' });
      }
      const watched = new Set(open.map((t) => t.conversationId));
      for (const id of this.lastPosition.keys()) if (!watched.has(id)) this.lastPosition.delete(id);
      for (const conversationId of watched) {
        const known = this.lastPosition.get(conversationId);
        const newer = await this.deps.store.messages.listByConversation(conversationId, known ?? 0, known === undefined ? 1000 : 50);
        const last = newer.at(-1)?.position;
        if (last === undefined) continue;
        this.lastPosition.set(conversationId, last);
        if (known !== undefined) this.broadcast({ type: 'message', conversationId });
      }
    } catch {
      // A failed poll is retried on the next tick; the page also refreshes on reconnect.
    } finally {
      this.polling = false;
    }
  }

  close(): void {
    this.stop();
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
