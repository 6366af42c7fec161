/**
 * Today's numbers, for the console's chart page (GET /console/api/stats) and for
 * Prometheus (GET /metrics): waiting now, median and 90th-percentile wait and first
 * response, overall and by channel, team and risk, and the share of urgent tickets a
 * person answered within 5 minutes (Crisis Text Line reports 94 %). Computed from the
 * store at each request (src/handoff/metrics.ts holds the definitions), so every
 * instance reports the same figures.
 */
import { Gauge, Registry } from 'prom-client';
import { queueNumbers, vnDayStart, type QueueNumbers } from '../handoff/metrics.js';
import { CHANNELS, RISK_CATEGORIES, type Store, type Ticket } from '../store/types.js';

export interface Slice {
  key: string;
  numbers: QueueNumbers;
}

export interface TodayStats {
  at: Date;
  dayStart: Date;
  all: QueueNumbers;
  byChannel: Slice[];
  byTeam: Slice[];
  byRisk: Slice[];
}

/** The tickets of today and every ticket still waiting (an old one waiting counts too). */
async function todaysTickets(store: Pick<Store, 'tickets'>, now: Date): Promise<Ticket[]> {
  const dayStart = vnDayStart(now);
  const [today, waiting] = await Promise.all([store.tickets.listCreatedSince(dayStart, 10_000), store.tickets.list({ statuses: ['waiting'], limit: 10_000 })]);
  return [...today, ...waiting];
}

export async function todayStats(store: Pick<Store, 'tickets'>, now: Date, teams: readonly string[]): Promise<TodayStats> {
  const dayStart = vnDayStart(now);
  const tickets = await todaysTickets(store, now);
  const slice = (key: string, pick: (t: Ticket) => boolean): Slice => ({ key, numbers: queueNumbers(tickets.filter(pick), now, dayStart) });
  return {
    at: now,
    dayStart,
    all: queueNumbers(tickets, now, dayStart),
    byChannel: CHANNELS.map((c) => slice(c, (t) => t.channel === c)),
    byTeam: teams.map((team) => slice(team, (t) => t.team === team)),
    byRisk: [...RISK_CATEGORIES, 'none'].map((r) => slice(r, (t) => (t.riskCategory ?? 'none') === r)),
  };
}

/**
 * Today's numbers in Prometheus text format, from a registry built for this scrape (the
 * figures are read from the store now, so concurrent scrapes cannot mix). Labels:
 * dimension (all, channel, team, risk) and value; quantile 0.5 / 0.9 for times.
 *
 * @example const { contentType, body } = await prometheusText(store, new Date(), ['tam-ly', 'chung']);
 */
export async function prometheusText(store: Pick<Store, 'tickets'>, now: Date, teams: readonly string[]): Promise<{ contentType: string; body: string }> {
  const stats = await todayStats(store, now, teams);
  const registry = new Registry();
  const seconds = (ms: number | null) => (ms === null ? Number.NaN : ms / 1000);
  const labelled = { labelNames: ['dimension', 'value'] as const, registers: [registry] };
  const quantiled = { labelNames: ['dimension', 'value', 'quantile'] as const, registers: [registry] };
  const waiting = new Gauge({ name: 'ctxh_tickets_waiting', help: 'Tickets waiting for a counsellor now', ...labelled });
  const created = new Gauge({ name: 'ctxh_tickets_created_today', help: 'Tickets created today (Vietnam time)', ...labelled });
  const wait = new Gauge({ name: 'ctxh_wait_seconds', help: 'Wait until a counsellor took the ticket, today', ...quantiled });
  const first = new Gauge({ name: 'ctxh_first_response_seconds', help: 'Time to the first counsellor message, today', ...quantiled });
  const put = (dimension: string, value: string, n: QueueNumbers) => {
    waiting.set({ dimension, value }, n.waitingNow);
    created.set({ dimension, value }, n.createdToday);
    wait.set({ dimension, value, quantile: '0.5' }, seconds(n.waitMedianMs));
    wait.set({ dimension, value, quantile: '0.9' }, seconds(n.waitP90Ms));
    first.set({ dimension, value, quantile: '0.5' }, seconds(n.firstResponseMedianMs));
    first.set({ dimension, value, quantile: '0.9' }, seconds(n.firstResponseP90Ms));
  };
  put('all', 'all', stats.all);
  for (const s of stats.byChannel) put('channel', s.key, s.numbers);
  for (const s of stats.byTeam) put('team', s.key, s.numbers);
  for (const s of stats.byRisk) put('risk', s.key, s.numbers);
  new Gauge({ name: 'ctxh_urgent_tickets_today', help: 'Urgent tickets today', registers: [registry] }).set(stats.all.urgentTotal);
  new Gauge({
    name: 'ctxh_urgent_answered_within_5min_ratio',
    help: 'Share of urgent tickets a person answered within 5 minutes, today (NaN when none is decided yet)',
    registers: [registry],
  }).set(stats.all.urgentShareWithin5Min ?? Number.NaN);
  return { contentType: registry.contentType, body: await registry.metrics() };
}
