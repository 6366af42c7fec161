/**
 * Mounts the counsellor console on the app: its page and scripts under /console/, the
 * JSON API and live events under /console/api (login first), and /metrics for
 * Prometheus. The page is a small Preact + htm app with no build step: the browser loads
 * the libraries as ES modules straight from node_modules through /console/vendor/.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express from 'express';
import type { Desk } from '../handoff/desk.js';
import type { HandoffEvents } from '../handoff/events.js';
import type { Handoff } from '../handoff/service.js';
import type { Team } from '../handoff/teams.js';
import type { Store } from '../store/types.js';
import { fromRoot } from '../server/paths.js';
import { consoleApi } from './api.js';
import { requireStaff, sameSecret } from './auth/middleware.js';
import { authRouter } from './auth/routes.js';
import type { CannedResponse } from './canned.js';
import type { MediaSources } from './media.js';
import { kbApi, type KbApiDeps } from './kb-api.js';
import { policyApi, type PolicyApiDeps } from './policy-api.js';
import { inboxApi, type InboxApiDeps } from './inbox-api.js';
import { LiveFeed } from './live.js';
import { prometheusText, todayStats } from './stats.js';

const WEB_DIR = fromRoot('src', 'console', 'web/');
const require = createRequire(fromRoot('package.json'));
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** The browser modules the page imports (see web/index.html's import map). */
const VENDOR: Record<string, () => string> = {
  'preact.mjs': () => join(packageDir('preact'), 'dist/preact.module.js'),
  'hooks.mjs': () => join(packageDir('preact'), 'hooks/dist/hooks.module.js'),
  'htm.mjs': () => join(dirname(require.resolve('htm')), 'htm.module.js'),
};

export interface ConsoleOptions {
  store: Store;
  desk: Desk;
  handoff: Handoff;
  events: HandoffEvents;
  teams: readonly Team[];
  canned: readonly CannedResponse[];
  now: () => Date;
  secureCookies: boolean;
  loginPerMinute: number;
  lockAfter: number;
  lockMinutes: number;
  /** Bearer token /metrics requires; unset: /metrics is open (keep it on an internal network). */
  metricsToken?: string;
  /** The store poll for other instances' changes (ms); tests shorten it. */
  livePollMs?: number;
  /** Fetchers of citizens' attachments, per platform. */
  media: MediaSources;
  /** The knowledge editor's previews, checks and reload (src/console/kb-api.ts). */
  kb: Omit<KbApiDeps, 'store' | 'now'>;
  /** The policy values editor's entries, preview and reload (src/console/policy-api.ts); absent: no policy values page. */
  policy?: Omit<PolicyApiDeps, 'store' | 'now'>;
  /** The unanswered questions inbox's live entries, preview and reload (src/console/inbox-api.ts); absent: no inbox. */
  inbox?: Omit<InboxApiDeps, 'store' | 'now'>;
}

export function mountConsole(app: express.Express, options: ConsoleOptions): { live: LiveFeed } {
  const { store, now } = options;
  const live = new LiveFeed({ store, events: options.events, pollMs: options.livePollMs });
  const teamIds = options.teams.map((t) => t.id);

  const api = express.Router();
  api.use(authRouter({ store, now, secureCookies: options.secureCookies, loginPerMinute: options.loginPerMinute, lockAfter: options.lockAfter, lockMinutes: options.lockMinutes }));
  api.get('/events', requireStaff(), live.handler);
  api.get('/stats', requireStaff(['supervisor', 'admin']), async (_req, res) => void res.json(await todayStats(store, now(), teamIds)));
  api.use(kbApi({ store, now, ...options.kb }));
  if (options.policy) api.use(policyApi({ store, now, ...options.policy }));
  if (options.inbox) api.use(inboxApi({ store, now, ...options.inbox }));
  api.use(consoleApi({ store, desk: options.desk, handoff: options.handoff, teams: options.teams, canned: options.canned, events: options.events, media: options.media, now }));
  app.use('/console/api', api);

  for (const [file, path] of Object.entries(VENDOR)) {
    app.get(`/console/vendor/${file}`, (_req, res) => res.type('text/javascript').sendFile(path(), { maxAge: '1d' }));
  }
  app.use('/console', express.static(WEB_DIR, { index: 'index.html', maxAge: 0 }));

  app.get('/metrics', async (req, res) => {
    if (options.metricsToken && !sameSecret(req.get('authorization') ?? '', `Bearer ${options.metricsToken}`)) return void res.status(401).end();
    const { contentType, body } = await prometheusText(store, now(), teamIds);
    res.type(contentType).send(body);
  });
  return { live };
}
