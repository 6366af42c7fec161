/**
 * Zalo Official Account as a channel module (src/server/channels.ts): on when
 * ZALO_APP_ID, ZALO_APP_SECRET and ZALO_OA_SECRET_KEY are set (configuration then
 * requires CHANNEL_TOKEN_KEY). Mounts POST /zalo/webhook (raw body, signature checked by
 * ZaloAdapter), registers ZaloSender with the outbox, and start() runs the token job
 * (seed, finish a pending rotation, refresh when less than 2 h are left).
 */
import express from 'express';
import type { ChannelModule } from '../../server/channels.js';
import type { Config } from '../../server/config.js';
import { ZaloAdapter } from './adapter.js';
import { ZaloClient } from './client.js';
import { ZaloSender, ZALO_SENDER_DEFAULTS, type ZaloSenderOptions } from './sender.js';
import { TokenCipher } from './token-cipher.js';
import { ZaloTokenStore } from './token-store.js';

export const ZALO_WEBHOOK_PATH = '/zalo/webhook';

/**
 * Settings for the reference's unconfirmed points, read when configuration has them (the
 * defaults of ZALO_SENDER_DEFAULTS otherwise): ZALO_BUTTONS ('buttons' | 'numbered'),
 * ZALO_MAX_BUTTONS, ZALO_MAX_TEXT, ZALO_BEYOND_FREE_WINDOW ('send' | 'refuse'),
 * ZALO_REPLY_BY_MESSAGE_ID (boolean); and ZALO_WEBHOOK_MAX_AGE_SECONDS for the adapter.
 */
type ZaloSettings = Partial<{
  ZALO_BUTTONS: ZaloSenderOptions['buttons'];
  ZALO_MAX_BUTTONS: number;
  ZALO_MAX_TEXT: number;
  ZALO_BEYOND_FREE_WINDOW: ZaloSenderOptions['beyondFreeWindow'];
  ZALO_REPLY_BY_MESSAGE_ID: boolean;
  ZALO_WEBHOOK_MAX_AGE_SECONDS: number;
}>;

export function zaloOptions(config: Config & ZaloSettings): ZaloSenderOptions {
  const d = ZALO_SENDER_DEFAULTS;
  return {
    ...d,
    buttons: config.ZALO_BUTTONS ?? d.buttons,
    maxButtons: config.ZALO_MAX_BUTTONS ?? d.maxButtons,
    maxText: config.ZALO_MAX_TEXT ?? d.maxText,
    beyondFreeWindow: config.ZALO_BEYOND_FREE_WINDOW ?? d.beyondFreeWindow,
    replyByMessageId: config.ZALO_REPLY_BY_MESSAGE_ID ?? d.replyByMessageId,
  };
}

export const zaloChannel: ChannelModule = {
  channel: 'zalo',
  enabled: (config) => Boolean(config.ZALO_APP_ID && config.ZALO_APP_SECRET && config.ZALO_OA_SECRET_KEY),
  mount({ app, config, store, runner, outbox, log, now, holder }) {
    const appId = config.ZALO_APP_ID!;
    const appSecret = config.ZALO_APP_SECRET!;
    const client = new ZaloClient({ openApiBase: config.ZALO_OPENAPI_BASE, oauthBase: config.ZALO_OAUTH_BASE, appId, appSecret });
    const tokens = new ZaloTokenStore({
      store,
      client,
      // Configuration refuses Zalo without CHANNEL_TOKEN_KEY.
      cipher: new TokenCipher(config.CHANNEL_TOKEN_KEY!),
      appId,
      holder,
      now,
      log,
      seed: { refreshToken: config.ZALO_REFRESH_TOKEN, accessToken: config.ZALO_ACCESS_TOKEN },
    });
    const settings: Config & ZaloSettings = config;
    const options = zaloOptions(settings);
    const adapter = new ZaloAdapter({
      appId,
      oaId: config.ZALO_OA_ID,
      signatureKeys: [
        { name: 'ZALO_OA_SECRET_KEY', key: config.ZALO_OA_SECRET_KEY! },
        { name: 'ZALO_APP_SECRET', key: appSecret },
      ],
      runner,
      store,
      log,
      now,
      menu: options,
      maxSkewMs: settings.ZALO_WEBHOOK_MAX_AGE_SECONDS ? settings.ZALO_WEBHOOK_MAX_AGE_SECONDS * 1000 : undefined,
    });
    runner.register(adapter);
    outbox.register(new ZaloSender({ client, tokens, now, log, options }));
    app.post(ZALO_WEBHOOK_PATH, express.raw({ type: () => true, limit: '1mb' }), adapter.webhookHandler());
    return {
      channel: 'zalo',
      webhookPath: ZALO_WEBHOOK_PATH,
      start: () => tokens.start(),
      stop: () => tokens.stop(),
    };
  },
};
