/**
 * Builds the human side from configuration: teams, the live event bus, the ticket
 * opener the bot uses, the counsellors' desk, the on-call alert and the queue keeper.
 * Channels stay out of it: the caller passes how to reach a citizen (the TurnRunner).
 */
import type { Logger } from 'pino';
import type { Reply } from '../flows/replies.js';
import { Desk, type Author } from '../handoff/desk.js';
import { HandoffEvents } from '../handoff/events.js';
import { parseOfficeHours } from '../handoff/office-hours.js';
import { OnCallAlerts } from '../handoff/on-call.js';
import { QueueKeeper } from '../handoff/queue-keeper.js';
import { getRoutingMethod } from '../handoff/routing/registry.js';
import { Handoff } from '../handoff/service.js';
import { parseTeams, teamFor, type Team } from '../handoff/teams.js';
import type { Conversation, Store } from '../store/types.js';
import type { CentreInfo, Config } from './config.js';

export interface HandoffWiring {
  events: HandoffEvents;
  teams: Team[];
  handoff: Handoff;
  desk: Desk;
  keeper: QueueKeeper;
  onCall?: OnCallAlerts;
}

export function buildHandoffWiring(
  config: Config,
  deps: {
    store: Store;
    centre: CentreInfo;
    now: () => Date;
    log: Logger;
    holder: string;
    sendToCitizen: (conversation: Conversation, reply: Reply, author?: Author) => Promise<void>;
    /** Stores a text for the on-call Telegram chat; the outbox sends it (retries included). */
    sendToOnCall?: (text: string) => Promise<void>;
  },
): HandoffWiring {
  const { store, now, log } = deps;
  const events = new HandoffEvents();
  const teams = parseTeams(config.HANDOFF_TEAMS);
  const officeHours = parseOfficeHours(config.OFFICE_HOURS);
  let onCall: OnCallAlerts | undefined;
  if (config.ONCALL_TELEGRAM_CHAT_ID && deps.sendToOnCall) {
    onCall = new OnCallAlerts({
      send: deps.sendToOnCall,
      store,
      now,
      log,
      consoleUrl: config.PUBLIC_URL ?? null,
    });
  }
  const desk = new Desk({
    store,
    events,
    sendToCitizen: deps.sendToCitizen,
    now,
    centreName: deps.centre.name,
    teams: new Map(teams.map((t) => [t.id, t.label])),
  });
  const keeper = new QueueKeeper({
    store,
    desk,
    events,
    routing: getRoutingMethod(config.HANDOFF_ROUTING),
    officeHours,
    now,
    idleMs: config.COUNSELLOR_IDLE_MINUTES * 60_000,
    abandonAfterMs: config.HANDOFF_ABANDON_HOURS * 3_600_000,
    escalateAfterMs: { urgent: config.ESCALATE_URGENT_UNCLAIMED_MINUTES * 60_000, normal: config.ESCALATE_UNCLAIMED_MINUTES * 60_000 },
    sendToCitizen: (conversation, reply) => deps.sendToCitizen(conversation, reply),
    onUnclaimedUrgent: onCall ? (ticket, minutes) => onCall.urgent(ticket, minutes) : undefined,
    holder: deps.holder,
  });
  const handoff = new Handoff({
    store,
    events,
    now,
    teamFor: (about) => teamFor(about, teams),
    onUrgent: onCall ? (ticket) => onCall.urgent(ticket) : undefined,
    queueStatus: (ticket) => keeper.statusReply(ticket),
  });
  return { events, teams, handoff, desk, keeper, onCall };
}
