import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { TurnRunner } from '../bots/turn-runner.js';
import { Outbox } from '../bots/outbox.js';
import { AnswerPipeline } from '../flows/answer.js';
import { KnowledgeBase } from '../kb/knowledge-base.js';
import { CtxhBot, replyActivity } from '../flows/bot.js';
import { checkInEscalatedReply } from '../flows/safety-replies.js';
import type { DecideTurn } from '../flows/turn.js';
import { escalateDueCheckIns } from '../handoff/check-in-escalation.js';
import { sweepRetention } from './retention.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { centreInfo, type Config } from './config.js';
import { createLogger } from './logger.js';
import { fromRoot } from './paths.js';
import { buildTurnWiring } from './turn-wiring.js';
import { buildWebChatWiring } from './webchat-wiring.js';
import { startLiveKnowledge } from './knowledge-wiring.js';
import { CHANNEL_MODULES, channelsSummary, type MountedChannel } from './channels.js';
import { buildHandoffWiring, type HandoffWiring } from './handoff-wiring.js';
import { mountConsole } from '../console/server.js';
import { loadCannedResponses } from '../console/canned.js';
import { MediaSources } from '../console/media.js';
import { registerWebchatMedia } from '../bots/directline/upload.js';
import type { Reply } from '../flows/replies.js';
import type { Author } from '../handoff/desk.js';
import type { Conversation } from '../store/types.js';
import { answerAfterCommit } from './commit-barrier.js';

export interface Assistant {
  app: express.Express;
  store: Store;
  runner: TurnRunner;
  pipeline: AnswerPipeline;
  /** The turn's chain of steps, as the bot runs it. */
  decide: DecideTurn;
  /** The platform channels configuration turned on. */
  channels: MountedChannel[];
  log: Logger;
  /** The human side: tickets, the counsellors' desk, live events, the queue keeper. */
  handoff: HandoffWiring;
  /** Sends stored outbound messages (src/bots/outbox.ts). */
  outbox: Outbox;
  /**
   * Makes check-ins unanswered for CHECK_IN_ESCALATE_SECONDS urgent and tells each citizen;
   * start() runs it on a timer. Returns how many this call escalated.
   */
  escalateCheckIns(): Promise<number>;
  /** Hands the HTTP server's WebSocket upgrades to the web chat streams; call once per server. */
  attach(server: Server): void;
  /** Starts background work: recovery of unanswered messages, check-in escalation, the retention sweep, Telegram polling. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const WEB_DIR = fromRoot('src', 'web/');

/** Wires store, knowledge, bot, channels and HTTP routes from one configuration. */
export async function createAssistant(
  config: Config,
  options: { now?: () => Date; log?: Logger; store?: Store; /** The console's store poll (ms); tests shorten it. */ livePollMs?: number } = {},
): Promise<Assistant> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const store = options.store ?? (await openStore(config));
  const centre = centreInfo(config);
  const { pipeline, lexicon, decide } = await buildTurnWiring(config, centre, (msg) => log.warn(msg), now, store.embeddings);

  for (const p of pipeline.kb.problems) log.warn({ file: p.file, field: p.field }, `knowledge: ${p.message}`);
  // The store holds the live knowledge (the folder is imported on the first start; `npm run kb:import` later).
  const knowledge = await startLiveKnowledge({
    store,
    pipeline,
    centre,
    now,
    log,
    dir: config.KNOWLEDGE_DIR,
    pollMs: config.KNOWLEDGE_POLL_SECONDS * 1000,
  });
  // Trained now, before the first citizen waits for it (later changes to answers reuse it).
  void pipeline.kb.classifier;
  log.info({ entries: pipeline.kb.entries.length, store: store.kind }, 'knowledge loaded');

  const holder = `${process.pid}-${randomBytes(4).toString('hex')}`;
  // The runner needs the bot, the bot needs the handoff, the handoff reaches citizens through the runner.
  let runnerRef: TurnRunner | undefined;
  const sendToCitizen = async (conversation: Conversation, reply: Reply, author?: Author) => {
    const activity = replyActivity(reply);
    if (author) activity.channelData = { ...(activity.channelData ?? {}), author };
    await runnerRef!.sendProactive(conversation, activity);
  };
  // The on-call chat is a conversation of its own on Telegram: its alerts go through the outbox too.
  const onCallChat = config.ONCALL_TELEGRAM_CHAT_ID;
  const sendToOnCall = onCallChat
    ? async (text: string) => {
        const address = { channel: 'telegram' as const, userId: 'on-call', chatId: onCallChat };
        const reference = { channelId: 'telegram', serviceUrl: 'telegram', conversation: { id: onCallChat }, user: { id: 'on-call' }, bot: { id: 'bot', name: centre.name } };
        const conversation = await store.conversations.upsert(address, reference, now());
        await runnerRef!.sendProactive(conversation, { type: 'message', text });
      }
    : undefined;
  const human = buildHandoffWiring(config, { store, centre, now, log, holder, sendToCitizen, sendToOnCall });
  const bot = new CtxhBot({
    decide,
    store,
    centre,
    now,
    triageWindow: lexicon.rules.context,
    handoff: human.handoff,
    reopenMs: config.HANDOFF_REOPEN_MINUTES * 60_000,
    log,
  });
  const retryAfterMs = config.INBOUND_RETRY_SECONDS * 1000;
  const outbox = new Outbox({ store, now, log, holder, onFailed: (conversation) => human.events.publish({ type: 'message', conversationId: conversation.id }) });
  const runner = new TurnRunner({
    store,
    bot,
    now,
    log,
    retryAfterMs,
    // Screens (the console, web chat streams) hear of a message once it is committed.
    onStored: (conversationId) =>
      void store.committed().then(
        () => human.events.publish({ type: 'message', conversationId }),
        () => undefined,
      ),
    outbox,
  });
  runnerRef = runner;
  const webchat = buildWebChatWiring(config, { store, runner, events: human.events, centre, now, log });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  // JSON answers are read once (after a watermark or a cursor): hashing every body for an
  // ETag cost each poll a SHA-1 for nothing. Static files keep their own validators.
  app.set('etag', false);
  app.use(answerAfterCommit(() => store.committed()));
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, store: store.kind, knowledgeEntries: pipeline.kb.entries.length });
  });
  app.use('/v3/directline', webchat.router);
  const media = new MediaSources();
  registerWebchatMedia(media, store);
  const channels = CHANNEL_MODULES.filter((c) => c.enabled(config)).map((c) => c.mount({ app, config, store, runner, outbox, log, now, holder, media }));
  log.info({ channels: channelsSummary(channels, config.PUBLIC_URL) }, 'channels on');
  const { live } = mountConsole(app, {
    store,
    desk: human.desk,
    handoff: human.handoff,
    events: human.events,
    teams: human.teams,
    canned: loadCannedResponses(config.CANNED_RESPONSES_FILE, centre),
    now,
    secureCookies: config.CONSOLE_SECURE_COOKIES,
    loginPerMinute: config.CONSOLE_LOGIN_PER_MINUTE,
    lockAfter: config.CONSOLE_LOCK_AFTER,
    lockMinutes: config.CONSOLE_LOCK_MINUTES,
    metricsToken: config.METRICS_TOKEN,
    livePollMs: options.livePollMs,
    media,
    kb: {
      preview: knowledge.preview,
      validate: knowledge.validate,
      onApproved: () => knowledge.live.refresh().then(() => undefined, (err) => log.error({ err }, 'knowledge reload failed')),
      reviewAfterDays: config.KB_REVIEW_AFTER_DAYS,
    },
    policy: {
      entries: () => pipeline.kb.entries,
      preview: knowledge.previewWith,
      onApproved: () => knowledge.live.refresh().then(() => undefined, (err) => log.error({ err }, 'knowledge reload failed')),
      reviewAfterDays: config.KB_REVIEW_AFTER_DAYS,
    },
    inbox: {
      entries: () => pipeline.kb.entries,
      // The bot's rules and thresholds over other entries, without LLM phrasing: the inbox's preview.
      pipelineFor: (entries) =>
        new AnswerPipeline({ kb: new KnowledgeBase(entries, [], pipeline.kb.policyValues), centre, thresholds: { answer: config.FAQ_ANSWER_THRESHOLD, clarify: config.FAQ_CLARIFY_THRESHOLD }, now }),
      // Twice: a poll already in flight may have read the store before this approval.
      onApproved: () => knowledge.live.refresh().then(() => undefined, (err) => log.error({ err }, 'knowledge reload failed')),
    },
  });
  app.use(express.static(WEB_DIR, { index: 'index.html', maxAge: '1h' }));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err === 'object' && err && 'status' in err ? Number((err as { status: unknown }).status) : 500;
    if (status >= 500) log.error({ err }, 'request failed');
    res.status(status).json({ error: { code: status >= 500 ? 'ServiceError' : 'BadArgument', message: status >= 500 ? 'Internal error' : 'Bad request' } });
  });

  let recovery: NodeJS.Timeout | undefined;
  let escalation: NodeJS.Timeout | undefined;
  let retention: NodeJS.Timeout | undefined;
  let keeping: NodeJS.Timeout | undefined;
  const sweepMs = config.RETENTION_SWEEP_MINUTES * 60_000;
  const escalateMs = config.CHECK_IN_ESCALATE_SECONDS * 1000;
  const escalateCheckIns = async (): Promise<number> => {
    const escalated = await escalateDueCheckIns(store, human.handoff, {
      now: now(),
      afterMs: escalateMs,
      // Tell the citizen at once, on their own channel; a failed send is logged, not retried.
      onEscalated: (conversation) =>
        runner
          .sendProactive(conversation, replyActivity(checkInEscalatedReply(conversation.risk?.category ?? null, centre)))
          .catch((err) =>
            log.error({ conversationId: conversation.id, error: err instanceof Error ? err.name : 'unknown' }, 'could not tell the citizen their check-in was escalated'),
          ),
    });
    if (escalated > 0) log.warn({ escalated }, 'unanswered check-ins made urgent');
    return escalated;
  };

  return {
    app,
    store,
    runner,
    pipeline,
    decide,
    channels,
    log,
    handoff: human,
    outbox,
    escalateCheckIns,
    attach: (server) => webchat.attach(server),
    async start() {
      const recover = async () => {
        const recovered = await runner.recover();
        if (recovered > 0) log.info({ recovered }, 'answered messages left unanswered');
      };
      // Messages left unanswered by a crash are answered in the background: channels open at once.
      void recover().catch((err) => log.error({ err }, 'recovery failed'));
      // Whatever was stored and not sent yet (a crash, a retry that came due) goes out now and on the timer.
      outbox.start();
      void outbox.drainDue().catch((err) => log.error({ err }, 'outbox pass failed'));
      recovery = setInterval(() => void recover().catch((err) => log.error({ err }, 'recovery failed')), retryAfterMs);
      recovery.unref();
      escalation = setInterval(
        () => void escalateCheckIns().catch((err) => log.error({ err }, 'check-in escalation failed')),
        Math.min(30_000, escalateMs / 3),
      );
      escalation.unref();
      const sweep = async () => {
        const swept = await sweepRetention(store, {
          now: now(),
          caseDays: config.CASE_RETENTION_DAYS,
          messageDays: config.MESSAGE_RETENTION_DAYS,
          holder,
          intervalMs: sweepMs,
        });
        if (swept && Object.values(swept).some((n) => n > 0)) log.info(swept, 'retention sweep erased what was past its time');
      };
      void sweep().catch((err) => log.error({ err }, 'retention sweep failed'));
      retention = setInterval(() => void sweep().catch((err) => log.error({ err }, 'retention sweep failed')), sweepMs);
      retention.unref();
      const keep = () => void human.keeper.tick().catch((err) => log.error({ err }, 'queue keeper failed'));
      keeping = setInterval(keep, 5_000);
      keeping.unref();
      // A ticket event on this instance runs the keeper soon (auto-assignment without waiting for the timer).
      human.events.subscribe((e) => {
        const room = e.type === 'ticket' && ['opened', 'released', 'reopened', 'closed', 'transferred'].includes(e.change);
        if (room || (e.type === 'presence' && e.presence === 'available')) setTimeout(keep, 50).unref();
      });
      for (const c of channels) await c.start?.();
    },
    async close() {
      if (recovery) clearInterval(recovery);
      if (escalation) clearInterval(escalation);
      if (retention) clearInterval(retention);
      if (keeping) clearInterval(keeping);
      live.close();
      knowledge.live.stop();
      webchat.close();
      for (const c of channels) await c.stop?.();
      await runner.idle();
      outbox.stop();
      await outbox.idle();
      await human.onCall?.idle();
      await store.close();
    },
  };
}
