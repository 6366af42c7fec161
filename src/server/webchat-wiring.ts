import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { Activity } from 'botbuilder';
import { TurnContext } from 'botbuilder';
import type express from 'express';
import type { Logger } from 'pino';
import { BOT_ACCOUNT, type PageAttachments } from '../bots/directline/activities.js';
import { mediaDownloadHandler, mediaLinks, pageAttachments, uploadHandler } from '../bots/directline/upload.js';
import { DirectLineAdapter } from '../bots/directline/adapter.js';
import { directLineRouter } from '../bots/directline/routes.js';
import { DirectLineStreams } from '../bots/directline/stream.js';
import { DirectLineTokens, type TokenClaims } from '../bots/directline/tokens.js';
import type { TurnRunner } from '../bots/turn-runner.js';
import { replyActivity } from '../flows/bot.js';
import { greetingReply } from '../flows/replies.js';
import type { HandoffEvents } from '../handoff/events.js';
import type { Store } from '../store/types.js';
import type { CentreInfo, Config } from './config.js';

/**
 * The web chat (Direct Line 3.0): tokens, the REST endpoints, the WebSocket streams and
 * the greeting a new conversation opens with. `attach` hands the HTTP server's upgrades
 * to the streams; `close` ends them.
 *
 * @example
 * const webchat = buildWebChatWiring(config, { store, runner, events, centre, now, log });
 * app.use('/v3/directline', webchat.router);
 * webchat.attach(app.listen(3978));
 */
export function buildWebChatWiring(
  config: Config,
  deps: { store: Store; runner: TurnRunner; events: HandoffEvents; centre: CentreInfo; now: () => Date; log: Logger },
): { router: express.Router; streams: DirectLineStreams; tokens: DirectLineTokens; attach(server: Server): void; close(): void } {
  const { store, runner, events, centre, now, log } = deps;
  runner.register(new DirectLineAdapter());

  let secret = config.DIRECTLINE_TOKEN_SECRET;
  if (!secret) {
    secret = randomBytes(32).toString('hex');
    log.warn('DIRECTLINE_TOKEN_SECRET is not set: web chat tokens end when the process restarts and work on this instance only');
  }
  const tokens = new DirectLineTokens(secret, config.DIRECTLINE_TOKEN_TTL_SECONDS, () => now().getTime());
  // The citizen's own files, shown back to their page through signed links (an <img> sends no token).
  const links = mediaLinks(secret, config.DIRECTLINE_TOKEN_TTL_SECONDS, now);
  const attachmentsFor: PageAttachments = (stored, origin) => pageAttachments(stored, links)?.map((a) => ({ ...a, contentUrl: `${origin}${a.contentUrl}` }));
  const publicUrl = config.PUBLIC_URL?.replace(/\/$/, '');
  const streams = new DirectLineStreams({ store, tokens, now, log, pollMs: config.DIRECTLINE_STREAM_POLL_MS, publicUrl, attachmentsFor });
  const unsubscribe = events.subscribe((e) => {
    if (e.type === 'message') streams.notify(e.conversationId);
  });

  /** The first thing in a new conversation: what the bot can do, with the most asked topics. */
  const greet = async ({ conversationId, userId }: TokenClaims): Promise<void> => {
    const address = { channel: 'webchat' as const, userId, chatId: conversationId };
    const existing = await store.conversations.findByAddress(address);
    if (existing && (await store.messages.listByConversation(existing.id, 0, 1)).length > 0) return;
    const opening: Partial<Activity> = {
      type: 'message',
      channelId: 'webchat',
      serviceUrl: 'directline',
      from: { id: userId, name: 'Người dân' },
      recipient: { id: BOT_ACCOUNT.id, name: BOT_ACCOUNT.name },
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
    };
    const conversation =
      existing ?? (await store.conversations.upsert(address, TurnContext.getConversationReference(opening) as Record<string, unknown>, now()));
    // Keyed: two tabs (or instances) starting the same conversation store one greeting.
    await runner.sendProactive(conversation, replyActivity(greetingReply(centre)), { onceKey: `greeting:${conversation.id}` });
  };

  const router = directLineRouter({
    store,
    runner,
    tokens,
    tokensPerMinute: config.DIRECTLINE_TOKENS_PER_MINUTE,
    now,
    allowedOrigins: config.ALLOWED_ORIGINS,
    secret: config.DIRECTLINE_SECRET,
    publicUrl,
    attachmentsFor,
    greet,
    typing: (chatId) => streams.typing(chatId),
    extend: (r, requireToken) => {
      r.post(
        '/conversations/:conversationId/upload',
        requireToken,
        ...uploadHandler({
          store,
          runner,
          now,
          maxBytes: config.DIRECTLINE_UPLOAD_MAX_BYTES,
          allowedTypes: config.DIRECTLINE_UPLOAD_TYPES,
          typing: (chatId) => streams.typing(chatId),
        }),
      );
      r.get('/media/:mediaId', mediaDownloadHandler(store, links));
    },
  });

  return {
    router,
    streams,
    tokens,
    attach(server) {
      server.on('upgrade', (req, socket, head) => {
        if (!streams.handleUpgrade(req, socket, head)) socket.destroy();
      });
    },
    close() {
      unsubscribe();
      streams.close();
    },
  };
}
