/**
 * Facebook Messenger as a channel module (src/server/channels.ts): on when
 * MESSENGER_APP_SECRET, MESSENGER_VERIFY_TOKEN and MESSENGER_PAGE_ACCESS_TOKEN are set.
 * Mounts GET /messenger/webhook (Meta's verification handshake) and POST
 * /messenger/webhook (events, read as raw bytes so X-Hub-Signature-256 is checked on
 * exactly what Meta signed). Replies go out through the outbox (MessengerSender) to
 * {META_GRAPH_BASE}/{META_GRAPH_VERSION}/me/messages. MESSENGER_PAGE_ID, when set, keeps
 * out events of other Pages.
 */
import express from 'express';
import type { ChannelModule } from '../../server/channels.js';
import { MessengerAdapter } from './adapter.js';
import { MessengerSender } from './sender.js';

export const MESSENGER_WEBHOOK_PATH = '/messenger/webhook';

/** Meta batches up to 1000 events in one request. */
const MAX_BODY = '5mb';

export const messengerChannel: ChannelModule = {
  channel: 'messenger',
  enabled: (config) => Boolean(config.MESSENGER_APP_SECRET && config.MESSENGER_VERIFY_TOKEN && config.MESSENGER_PAGE_ACCESS_TOKEN),
  mount({ app, config, store, runner, outbox, log, now }) {
    const channelLog = log.child({ channel: 'messenger' });
    const adapter = new MessengerAdapter({
      appSecret: config.MESSENGER_APP_SECRET!,
      verifyToken: config.MESSENGER_VERIFY_TOKEN!,
      pageId: config.MESSENGER_PAGE_ID || undefined,
      runner,
      store,
      now,
      log: channelLog,
    });
    runner.register(adapter);
    outbox.register(
      new MessengerSender({
        graphBase: config.META_GRAPH_BASE,
        graphVersion: config.META_GRAPH_VERSION,
        pageAccessToken: config.MESSENGER_PAGE_ACCESS_TOKEN!,
        appSecret: config.MESSENGER_APP_SECRET!,
        humanAgentTag: config.MESSENGER_HUMAN_AGENT,
        now,
        log: channelLog,
      }),
    );
    app.get(MESSENGER_WEBHOOK_PATH, adapter.verifyHandler);
    app.post(MESSENGER_WEBHOOK_PATH, express.raw({ type: () => true, limit: MAX_BODY }), adapter.webhookHandler);
    return { channel: 'messenger', webhookPath: MESSENGER_WEBHOOK_PATH };
  },
};
