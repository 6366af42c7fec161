/**
 * Carries out what the turn's steps decided, in the order they listed it: the one place
 * where decisions meet the store and the channel. Risk and handoff writes come before
 * the reply that announces them, so "a counsellor has been told" is already true in the
 * store when the citizen reads it.
 */
import { MessageFactory, type TurnContext } from 'botbuilder';
import { MESSAGE_KEY } from '../bots/turn-runner.js';
import { chooseGroup, maskForInbox, questionTerms } from '../kb/unanswered.js';
import { isBotButton } from './replies.js';
import type { Handoff } from '../handoff/service.js';
import type { CentreInfo } from '../server/config.js';
import { HANDOFF_PRIORITY, citizenKeyOf, type CaseRecord, type Conversation, type Store, type StoredMessage, type Ticket } from '../store/types.js';
import type { Effect, TurnMemory } from './chain.js';
import * as rights from './data-rights.js';
import { caseCreated } from './intake/questions.js';
import { placeName } from './intake/admin-units.js';
import type { Reply } from './replies.js';

/** Renders a Reply as an Activity: text plus quick replies as suggested actions. */
export function replyActivity(reply: Reply) {
  return reply.choices.length > 0 ? MessageFactory.suggestedActions(reply.choices, reply.text) : MessageFactory.text(reply.text);
}

export interface EffectContext {
  turn: TurnContext;
  store: Pick<Store, 'conversations' | 'audit' | 'consents' | 'cases' | 'messages' | 'notes' | 'tickets' | 'media' | 'unanswered'>;
  /** Where a failure that must not fail the turn is told (the unanswered inbox); absent: it is dropped. */
  log?: { warn(obj: object, msg: string): void };
  /** Opens, reopens and rates tickets (src/handoff/service.ts). */
  handoff: Handoff;
  centre: CentreInfo;
  conversation: Conversation;
  messageId: string | null;
  memory: TurnMemory;
  now: () => Date;
  /**
   * Where a newly queued citizen stands (place, wait, office hours): added to the next
   * reply of the turn, so the citizen reads one message, not two.
   */
  queueStatus?: Reply | null;
}

export async function carryOut(effects: readonly Effect[], ctx: EffectContext): Promise<void> {
  const { store, conversation, messageId, now } = ctx;
  const audit = (action: string, detail?: Record<string, unknown>) =>
    store.audit.append({ at: now(), actor: 'bot', action, subject: conversation.id, detail });
  for (const effect of effects) {
    switch (effect.type) {
      case 'reply':
        await reply(ctx, effect.reply);
        break;
      case 'raise-risk': {
        const at = now();
        const raised = await store.conversations.raiseRisk(conversation.id, { level: effect.level, category: effect.category, at, messageId }, at);
        // The audit keeps which cues fired (ids), never what the citizen wrote.
        await audit(`risk.${effect.level}`, { category: effect.category, reasons: effect.reasons, raised, messageId });
        break;
      }
      case 'clear-check-in':
        await store.conversations.clearCheckIn(conversation.id, now());
        break;
      case 'request-handoff': {
        const ticket = await ctx.handoff.open({
          conversation,
          priority: effect.priority,
          reason: effect.reason,
          riskCategory: effect.riskCategory,
          messageId,
          now: now(),
        });
        await noteQueueStatus(ticket, ctx);
        break;
      }
      case 'leave-callback':
        await leaveCallback(effect.phone, ctx);
        break;
      case 'reopen-ticket':
        await ctx.handoff.reopen(effect.ticketId);
        break;
      case 'rate-ticket':
        await ctx.handoff.rate(effect.ticketId, effect.score);
        break;
      case 'remember':
        Object.assign(ctx.memory, effect.patch);
        break;
      case 'faq':
        await audit(`faq.${effect.kind}`, {
          entryId: effect.entryId,
          topic: effect.topic,
          confidence: Math.round(effect.confidence * 1000) / 1000,
        });
        break;
      case 'audit':
        await audit(effect.action, effect.detail);
        break;
      case 'record-consent': {
        const record = await store.consents.record({
          citizenKey: citizenKeyOf(conversation),
          conversationId: conversation.id,
          channel: conversation.channel,
          purpose: effect.purpose,
          decision: effect.decision,
          textVersion: effect.version,
          at: now(),
        });
        await audit(`consent.${effect.decision}`, { purpose: effect.purpose, version: effect.version, consentId: record.id });
        break;
      }
      case 'create-case':
        await createCase(effect.answers, ctx);
        break;
      case 'forget-message':
        // Runs after the replies above: the answer lives on only in the intake's fields.
        if (messageId) await store.messages.redact([messageId]);
        break;
      case 'forget-messages-since': {
        const upTo = ctx.turn.turnState.get(MESSAGE_KEY) as StoredMessage | undefined;
        const since = await store.messages.listByConversation(conversation.id, effect.fromPosition - 1);
        const ids = since.filter((m) => !upTo || m.position <= upTo.position).map((m) => m.id);
        await store.messages.redact(ids);
        break;
      }
      case 'show-my-data': {
        const key = citizenKeyOf(conversation);
        const [consents, cases] = await Promise.all([store.consents.listByCitizen(key), store.cases.listByCitizen(key)]);
        await reply(ctx, rights.myDataReply(consents, cases, placeOf));
        await audit('data.shown');
        break;
      }
      case 'erase-my-data': {
        const key = citizenKeyOf(conversation);
        const conversations = await store.conversations.listByUser(conversation.channel, conversation.userId);
        const cases = await store.cases.eraseCitizen(key, now());
        const consents = await store.consents.anonymiseCitizen(key);
        const messages = await store.messages.redactConversations(conversations.map((c) => c.id));
        // The photos and voice notes sent through the web chat go with the messages that named them.
        const media = await store.media.removeConversations(conversations.map((c) => c.id));
        // Counsellors' notes about the citizen go too; the tickets stay as counts, no longer
        // the citizen's and without their close notes. A ticket still waiting is withdrawn
        // first (the citizen asked that nothing be kept, so nobody should call on it), except
        // an urgent one: a person in danger stays at the head of the queue, under the
        // vital-interest exception, until a counsellor has seen them.
        const notes = await store.notes.deleteByConversations(conversations.map((c) => c.id));
        const waiting = await store.tickets.findOpenByCitizen(key);
        if (waiting?.status === 'waiting' && waiting.priority !== HANDOFF_PRIORITY.urgent) {
          await store.tickets.close(waiting.id, { by: 'citizen', outcome: 'erased', note: null, status: 'abandoned' }, now());
          await store.conversations.setStatus(waiting.conversationId, 'bot', now());
        }
        const tickets = await store.tickets.anonymiseCitizen(key);
        // The audit says that it happened and how much, never what was erased.
        await audit('data.erased', { cases, consents, messages, media, notes, tickets, conversations: conversations.length });
        await reply(ctx, rights.erasedReply({ cases, messages }));
        break;
      }
      case 'withdraw-consent': {
        const changed = await store.consents.withdraw(citizenKeyOf(conversation), now());
        await audit('consent.withdrawn', { records: changed });
        await reply(ctx, rights.withdrawnReply(changed));
        break;
      }
      case 'case-status':
        await caseStatus(effect, ctx);
        break;
      case 'record-unanswered':
        // The inbox is for staff, later: a failure to keep it never fails the citizen's turn.
        await recordUnanswered(effect, ctx).catch((err) => ctx.log?.warn({ err }, 'could not record an unanswered question'));
        break;
    }
  }
  if (ctx.queueStatus) await reply(ctx, ctx.queueStatus);
}

/**
 * Keeps an unanswered question in the inbox: masked first (the raw text never reaches the
 * store), then counted on the open group it is the same question as, or a new group.
 */
async function recordUnanswered(effect: Extract<Effect, { type: 'record-unanswered' }>, ctx: EffectContext): Promise<void> {
  const text = effect.previous ? await questionBefore(ctx) : effect.text;
  if (!text) return;
  const sample = maskForInbox(text);
  const terms = questionTerms(sample);
  // "ok", "ừ", a lone number: nothing to group or to learn from.
  if (terms.length === 0) return;
  const { unanswered } = ctx.store;
  const at = ctx.now();
  const group = chooseGroup(terms, await unanswered.listOpen(500));
  if (group && (await unanswered.hit(group.id, { kind: effect.kind, sample, at }))) return;
  await unanswered.add({ sample, terms, kind: effect.kind, at });
}

/** The citizen's last typed question before this turn's message (not a button tap); null when none is near. */
async function questionBefore(ctx: EffectContext): Promise<string | null> {
  const current = ctx.turn.turnState.get(MESSAGE_KEY) as StoredMessage | undefined;
  if (!current) return null;
  const recent = await ctx.store.messages.inboundTexts(ctx.conversation.id, Math.max(0, current.position - 12), current.position, 12);
  const asked = recent.filter((m) => m.text.trim() && !isBotButton(m.text));
  return asked.at(-1)?.text ?? null;
}

/** A new, not urgent ticket: what the citizen should hear about the queue (urgent ones hear the safety reply). */
async function noteQueueStatus(ticket: Ticket, ctx: EffectContext): Promise<void> {
  if (ticket.raises !== 1 || ticket.priority === HANDOFF_PRIORITY.urgent) return;
  ctx.queueStatus = await ctx.handoff.queueStatus(ticket);
}

/** Sends a reply, with the pending queue status joined to it. */
const reply = async (ctx: EffectContext, r: Reply) => {
  const status = ctx.queueStatus;
  ctx.queueStatus = null;
  const joined = status ? { text: `${r.text}\n\n${status.text}`, choices: [...new Set([...r.choices, ...status.choices])] } : r;
  await ctx.turn.sendActivity(replyActivity(joined));
};

const placeOf = (c: CaseRecord): string => placeName(c.provinceCode, c.communeCode) ?? 'chưa rõ';

/** The confirmed intake becomes a case, goes to the counsellors, and the citizen learns its code. */
async function createCase(answers: Extract<Effect, { type: 'create-case' }>['answers'], ctx: EffectContext): Promise<void> {
  const { store, conversation, now } = ctx;
  const key = citizenKeyOf(conversation);
  const consents = (await store.consents.listByCitizen(key)).filter((c) => c.conversationId === conversation.id && c.decision === 'granted' && !c.withdrawnAt);
  const fresh = (await store.conversations.get(conversation.id)) ?? conversation;
  const created = await store.cases.create({
    citizenKey: key,
    conversationId: conversation.id,
    channel: conversation.channel,
    who: answers.who ?? 'self',
    group: answers.group ?? 'khac',
    need: answers.need ?? 'khac',
    provinceCode: answers.provinceCode ?? '',
    communeCode: answers.communeCode ?? '',
    age: answers.age ?? null,
    phone: answers.phone ?? null,
    description: answers.description ?? null,
    riskLevel: fresh.risk?.level ?? null,
    riskCategory: fresh.risk?.category ?? null,
    consentIds: consents.map((c) => c.id),
    createdAt: now(),
  });
  await store.audit.append({ at: now(), actor: 'bot', action: 'case.created', subject: conversation.id, detail: { caseId: created.id, code: created.code } });
  const urgent = fresh.risk?.level === 'urgent';
  const ticket = await ctx.handoff.open({
    conversation: fresh,
    priority: urgent ? HANDOFF_PRIORITY.urgent : HANDOFF_PRIORITY.normal,
    reason: 'intake',
    riskCategory: urgent ? fresh.risk!.category : null,
    messageId: ctx.messageId,
    now: now(),
    group: created.group,
    caseId: created.id,
    provinceCode: created.provinceCode,
    communeCode: created.communeCode,
  });
  await noteQueueStatus(ticket, ctx);
  await reply(ctx, caseCreated(created.code, ctx.centre.name, Boolean(created.phone)));
}

/**
 * A waiting citizen's call-back number: kept as a small case under the call-back consent
 * (so the console shows it, and seeing, exporting and erasing cover it), attached to the
 * open ticket.
 */
async function leaveCallback(phone: string, ctx: EffectContext): Promise<void> {
  const { store, conversation, now } = ctx;
  const key = citizenKeyOf(conversation);
  const consents = (await store.consents.listByCitizen(key)).filter(
    (c) => c.conversationId === conversation.id && c.purpose === 'callback' && c.decision === 'granted' && !c.withdrawnAt,
  );
  const created = await store.cases.create({
    citizenKey: key,
    conversationId: conversation.id,
    channel: conversation.channel,
    who: 'self',
    group: 'khac',
    need: 'khac',
    provinceCode: '',
    communeCode: '',
    age: null,
    phone,
    description: 'Xin gọi lại thay vì chờ trong khung chat.',
    riskLevel: conversation.risk?.level ?? null,
    riskCategory: conversation.risk?.category ?? null,
    consentIds: consents.slice(0, 1).map((c) => c.id),
    createdAt: now(),
  });
  await store.audit.append({ at: now(), actor: 'bot', action: 'case.created', subject: conversation.id, detail: { caseId: created.id, code: created.code, callback: true } });
  const open = await ctx.handoff.open({
    conversation,
    priority: HANDOFF_PRIORITY.normal,
    reason: 'citizen-asked',
    riskCategory: null,
    messageId: ctx.messageId,
    now: now(),
    caseId: created.id,
  });
  if (open.caseId !== created.id) await store.tickets.attachCase(open.id, { caseId: created.id, provinceCode: null, communeCode: null }, now());
}

/** A case's status: to its own citizen at once; to anyone else only with the phone on file. */
async function caseStatus(effect: Extract<Effect, { type: 'case-status' }>, ctx: EffectContext): Promise<void> {
  const { store, conversation, memory } = ctx;
  const found = await store.cases.getByCode(effect.code);
  if (!found || found.erasedAt) return void (await reply(ctx, rights.caseNotFoundReply(effect.code)));
  const own = found.citizenKey === citizenKeyOf(conversation);
  if (own || (effect.phone && found.phone === effect.phone)) {
    await store.audit.append({ at: ctx.now(), actor: 'bot', action: 'case.status-shown', subject: conversation.id, detail: { caseId: found.id, by: own ? 'owner' : 'phone' } });
    return void (await reply(ctx, rights.caseStatusReply(found)));
  }
  if (!found.phone || effect.tries >= 2) return void (await reply(ctx, rights.caseNotYoursReply(effect.code)));
  memory.caseLookup = { code: found.code, tries: effect.tries + 1 };
  await reply(ctx, effect.phone ? rights.casePhoneMismatchReply(found.code) : rights.caseAskPhoneReply(found.code));
}
