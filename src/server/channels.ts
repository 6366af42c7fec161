/**
 * The platform channels, as a list: each one says whether configuration turns it on (a
 * channel without credentials is off) and, when on, registers its adapter (inbound) with
 * the TurnRunner, its sender (outbound) with the outbox, and its webhook route. Adding a
 * channel is one more entry here, not another `if` in the wiring. Web chat (Direct Line)
 * is always on and mounted by the server itself.
 *
 * @example
 * for (const channel of CHANNEL_MODULES.filter((c) => c.enabled(config))) mounted.push(channel.mount(ctx));
 */
import type express from 'express';
import type { Logger } from 'pino';
import type { Outbox } from '../bots/outbox.js';
import type { TurnRunner } from '../bots/turn-runner.js';
import { telegramChannel } from '../bots/telegram/channel.js';
import { messengerChannel } from '../bots/messenger/channel.js';
import { zaloChannel } from '../bots/zalo/channel.js';
import type { Channel, Store } from '../store/types.js';
import type { Config } from './config.js';
import type { MediaSources } from '../console/media.js';

export interface ChannelContext {
  app: express.Express;
  config: Config;
  store: Store;
  runner: TurnRunner;
  outbox: Outbox;
  log: Logger;
  now: () => Date;
  /** Unique per process: the holder of leases (token refresh, …). */
  holder: string;
  /** Where a channel says how the console can fetch what citizens sent (voice notes, photos). */
  media: MediaSources;
}

export interface MountedChannel {
  channel: Channel;
  /** The path its webhook listens on, to log the URL a centre registers; none for polling. */
  webhookPath?: string;
  /** Background work (polling, token refresh), started with the server. */
  start?(): Promise<void>;
  stop?(): void | Promise<void>;
}

export interface ChannelModule {
  readonly channel: Channel;
  /** On when its credentials are configured. */
  enabled(config: Config): boolean;
  mount(ctx: ChannelContext): MountedChannel;
}

/** Every platform channel the assistant knows, in the order they are mounted. */
export const CHANNEL_MODULES: readonly ChannelModule[] = [telegramChannel, messengerChannel, zaloChannel];

/** The line a centre reads at start: which channels are on and the exact webhook URL to register for each (no secrets). */
export function channelsSummary(mounted: readonly MountedChannel[], publicUrl: string | undefined): string {
  const base = (publicUrl ?? 'https://<địa chỉ công khai của trung tâm>').replace(/\/$/, '');
  return ['webchat', ...mounted.map((m) => (m.webhookPath ? `${m.channel} (webhook: ${base}${m.webhookPath})` : `${m.channel} (polling)`))].join(', ');
}
