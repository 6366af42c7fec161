import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Store } from '../../store/types.js';
import { BOT_ACCOUNT, readActivities, type PageAttachments } from './activities.js';
import type { DirectLineTokens } from './tokens.js';

/**
 * Direct Line's WebSocket stream, the way Microsoft's Web Chat uses it by default: the
 * client opens the `streamUrl` it got when starting (or reconnecting to) the
 * conversation, authenticated by the conversation's token in `t`, and the server pushes
 * `{ activities, watermark }` sets as messages are stored. One conversation per socket.
 *
 * The store is the source of truth, not a message bus: a socket is sent whatever the
 * store holds after its watermark. It is told to look on this instance's writes at once
 * (`notify`), and, for other instances' writes, by the store's highest `seq` read every
 * `pollMs`: one cheap read however many sockets are open.
 *
 * @example
 * const streams = new DirectLineStreams({ store, tokens, now, log });
 * server.on('upgrade', (req, socket, head) => streams.handleUpgrade(req, socket, head) || socket.destroy());
 * events.subscribe((e) => e.type === 'message' && streams.notify(e.conversationId));
 */

export interface DirectLineStreamOptions {
  /**
   * How often the store's highest seq is read, to notice messages stored by another app
   * instance. Default 1000 ms. Lower it for snappier multi-instance delivery at the cost of
   * one small read per interval per instance; it does not matter on one instance, where
   * writes notify sockets at once.
   */
  pollMs?: number;
  /** Ping interval; a socket that missed a pong is closed. Default 25 s, under common proxy idle timeouts (60 s). */
  heartbeatMs?: number;
  /** Open sockets allowed per conversation (tabs, reconnects in flight). Default 5; more are refused. */
  maxPerConversation?: number;
  /** This server's address as clients reach it (PUBLIC_URL); from the upgrade request's Host when absent. */
  publicUrl?: string;
  /** Links to the files citizens sent (upload.ts); stored attachments as they are when absent. */
  attachmentsFor?: PageAttachments;
}

interface Subscriber {
  socket: WebSocket;
  chatId: string;
  userId: string;
  /** Where the client reaches this server, for links in activities. */
  origin: string;
  /** The stored conversation's id, once it exists. */
  storeId: string | null;
  /** Highest position sent on this socket. */
  sent: number;
  pumping: boolean;
  again: boolean;
  /** A gap held messages back: look again on the next tick even if nothing new was stored. */
  behind: boolean;
  alive: boolean;
}

const STREAM_PATH = /^\/v3\/directline\/conversations\/([^/]+)\/stream$/;

export class DirectLineStreams {
  private readonly byChat = new Map<string, Set<Subscriber>>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private lastSeq = -1;
  private typingCount = 0;
  private polling = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly deps: { store: Store; tokens: DirectLineTokens; now: () => Date; log: Logger } & DirectLineStreamOptions,
  ) {
    const poll = setInterval(() => void this.poll(), deps.pollMs ?? 1000);
    const beat = setInterval(() => this.heartbeat(), deps.heartbeatMs ?? 25_000);
    poll.unref();
    beat.unref();
    this.timers.push(poll, beat);
  }

  /**
   * Takes an HTTP upgrade on a stream path: true when it was ours (accepted or refused),
   * false for any other path, which the caller handles.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = STREAM_PATH.exec(url.pathname);
    if (!match) return false;
    const chatId = decodeURIComponent(match[1]!);
    const claims = this.deps.tokens.verify(url.searchParams.get('t') ?? '');
    if (!claims || claims.conversationId !== chatId) return refuse(socket, 403, 'Forbidden'), true;
    if ((this.byChat.get(chatId)?.size ?? 0) >= (this.deps.maxPerConversation ?? 5)) return refuse(socket, 429, 'Too Many Requests'), true;
    const watermark = Number(url.searchParams.get('watermark') ?? '0');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const sub: Subscriber = {
        socket: ws,
        chatId,
        userId: claims.userId,
        origin: this.deps.publicUrl?.replace(/\/$/, '') ?? `http${'encrypted' in req.socket && req.socket.encrypted ? 's' : ''}://${req.headers.host ?? 'localhost'}`,
        storeId: null,
        sent: Number.isSafeInteger(watermark) && watermark > 0 ? watermark : 0,
        pumping: false,
        again: false,
        behind: false,
        alive: true,
      };
      this.add(sub);
      ws.on('pong', () => (sub.alive = true));
      // The stream only goes one way; whatever a client sends on it is ignored.
      ws.on('close', () => this.remove(sub));
      ws.on('error', () => ws.terminate());
      void this.pump(sub);
    });
    return true;
  }

  /** A message of this stored conversation was stored on this instance: its sockets look now. */
  notify(storeConversationId: string): void {
    for (const subs of this.byChat.values()) {
      for (const sub of subs) if (sub.storeId === storeConversationId || sub.storeId === null) void this.pump(sub);
    }
  }

  /** The bot is writing (a turn runs long): a typing activity, not stored and with no watermark. */
  typing(chatId: string): void {
    const subs = this.byChat.get(chatId);
    if (!subs?.size) return;
    const activity = {
      type: 'typing',
      id: `${chatId}|typing-${Date.now().toString(36)}-${(this.typingCount++).toString(36)}`,
      timestamp: this.deps.now().toISOString(),
      channelId: 'directline',
      conversation: { id: chatId },
      from: { ...BOT_ACCOUNT, role: 'bot' },
    };
    const frame = JSON.stringify({ activities: [activity] });
    for (const sub of subs) if (sub.socket.readyState === sub.socket.OPEN) sub.socket.send(frame);
  }

  /** Open sockets, for tests and metrics. */
  get size(): number {
    let n = 0;
    for (const subs of this.byChat.values()) n += subs.size;
    return n;
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    for (const subs of this.byChat.values()) for (const sub of subs) sub.socket.close(1001, 'server shutting down');
    this.byChat.clear();
    this.wss.close();
  }

  private add(sub: Subscriber): void {
    const subs = this.byChat.get(sub.chatId) ?? new Set<Subscriber>();
    subs.add(sub);
    this.byChat.set(sub.chatId, subs);
  }

  private remove(sub: Subscriber): void {
    const subs = this.byChat.get(sub.chatId);
    subs?.delete(sub);
    if (subs?.size === 0) this.byChat.delete(sub.chatId);
  }

  /** Sends the socket everything stored after what it has; runs once at a time per socket. */
  private async pump(sub: Subscriber): Promise<void> {
    if (sub.pumping) {
      sub.again = true;
      return;
    }
    sub.pumping = true;
    try {
      do {
        sub.again = false;
        if (sub.socket.readyState !== sub.socket.OPEN) return;
        const read = await readActivities(this.deps.store, { channel: 'webchat', userId: sub.userId, chatId: sub.chatId }, sub.sent, this.deps.now(), {
          origin: sub.origin,
          attachmentsFor: this.deps.attachmentsFor,
        });
        sub.storeId = read.conversationId;
        sub.behind = !read.complete;
        if (read.activities.length > 0 && sub.socket.readyState === sub.socket.OPEN) {
          sub.socket.send(JSON.stringify({ activities: read.activities, watermark: String(read.watermark) }));
          sub.sent = read.watermark;
          // A full page: there may be more.
          if (read.activities.length >= 200) sub.again = true;
        }
      } while (sub.again);
    } catch (err) {
      this.deps.log.error({ err, conversation: sub.storeId }, 'web chat stream: reading the store failed; the next change or tick tries again');
    } finally {
      sub.pumping = false;
    }
  }

  /** Another instance may have stored something: one read of the store's highest seq says whether to look. */
  private async poll(): Promise<void> {
    if (this.polling || this.byChat.size === 0) return;
    this.polling = true;
    try {
      const seq = await this.deps.store.messages.lastSeq();
      const changed = seq !== this.lastSeq;
      this.lastSeq = seq;
      for (const subs of this.byChat.values()) for (const sub of subs) if (changed || sub.behind) void this.pump(sub);
    } catch (err) {
      this.deps.log.error({ err }, 'web chat stream: polling the store failed');
    } finally {
      this.polling = false;
    }
  }

  private heartbeat(): void {
    for (const subs of this.byChat.values()) {
      for (const sub of subs) {
        if (!sub.alive) {
          sub.socket.terminate();
          continue;
        }
        sub.alive = false;
        sub.socket.ping();
      }
    }
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
