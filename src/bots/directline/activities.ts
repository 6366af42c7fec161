import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { ConversationAddress, Store, StoredMessage } from '../../store/types.js';
import { readableRun } from './readable.js';

/**
 * Stored messages as Direct Line 3.0 activities, the one view shared by the polling
 * endpoint and the WebSocket stream, so both hand out the same ids and watermarks.
 *
 * Ids are `<conversation>|<the stored activity's id>`: the citizen's message keeps the id
 * it was stored under (from Web Chat's clientActivityID when there is one), and a bot
 * reply's `replyToId` names that same id, in a first run and in a run after a crash alike.
 *
 * @example
 * const { activities, watermark } = await readActivities(store, address, 0, new Date());
 */

export const BOT_ACCOUNT = { id: 'tro-ly-ctxh', name: 'Trợ lý CTXH' };

/** What Web Chat may put in channelData and get back on the echo: short plain values only. */
const ECHO_KEYS = 10;
const ECHO_VALUE_CHARS = 200;

/** The id Web Chat gave a message it sent, if it is a sensible one. */
export function clientActivityIdOf(channelData: unknown): string | null {
  const id = (channelData as { clientActivityID?: unknown } | null | undefined)?.clientActivityID;
  return typeof id === 'string' && /^[\w.:-]{1,100}$/.test(id) ? id : null;
}

/**
 * The part of a client's channelData kept and echoed: a few short strings, numbers and
 * booleans (clientActivityID, clientTimestamp…); nested objects and long values dropped.
 */
export function echoableChannelData(channelData: unknown): Record<string, string | number | boolean> | null {
  if (!channelData || typeof channelData !== 'object' || Array.isArray(channelData)) return null;
  const kept: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(channelData as Record<string, unknown>)) {
    if (Object.keys(kept).length >= ECHO_KEYS || !/^[\w.:-]{1,50}$/.test(key)) continue;
    if ((typeof value === 'string' && value.length <= ECHO_VALUE_CHARS) || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
      kept[key] = value;
    }
  }
  return Object.keys(kept).length > 0 ? kept : null;
}

/** What a page posted for a message (the JSON body, or an upload's `activity` part), already checked. */
export interface PostedMessage {
  text?: string;
  from?: { name?: string };
  locale?: string;
  channelData?: unknown;
}

/**
 * The citizen's message as the bot receives it. The token decides who is speaking (a page
 * cannot speak as another web user); Web Chat's clientActivityID names it, so the echo
 * matches the page's own message and a retried POST is the same stored message.
 *
 * @example
 * const { activity, id } = citizenActivity(req.claims, body, new Date());
 * const accepted = await runner.accept('webchat', activity);
 */
export function citizenActivity(
  who: { conversationId: string; userId: string },
  posted: PostedMessage,
  now: Date,
): { activity: Partial<Activity>; id: string; clientActivityID: string | null } {
  const clientActivityID = clientActivityIdOf(posted.channelData);
  const channelData = echoableChannelData(posted.channelData);
  const id = clientActivityID ? `${who.userId}:${clientActivityID}` : randomUUID();
  const activity: Partial<Activity> = {
    type: 'message',
    id,
    ...(channelData ? { channelData } : {}),
    channelId: 'webchat',
    serviceUrl: 'directline',
    timestamp: now,
    from: { id: who.userId, name: posted.from?.name?.trim() || 'Người dân' },
    recipient: { id: BOT_ACCOUNT.id, name: BOT_ACCOUNT.name },
    conversation: { id: who.conversationId, isGroup: false, conversationType: 'personal', name: '' },
    text: posted.text ?? '',
    locale: posted.locale ?? 'vi-VN',
  };
  return { activity, id, clientActivityID };
}

/** The Direct Line id of a stored message (position-based for a stored activity without an id). */
export function directLineIdOf(m: StoredMessage, conversationId: string): string {
  const id = (m.activity as { id?: unknown }).id;
  return typeof id === 'string' && id ? `${conversationId}|${id}` : `${conversationId}|${String(m.position).padStart(7, '0')}`;
}

/** The bot, or the counsellor who wrote it (stored with a `staff:` id): the page shows who is talking. */
function senderOf(a: Partial<Activity>): Record<string, unknown> {
  const id = a.from?.id;
  return typeof id === 'string' && id.startsWith('staff:') ? { id, name: a.from?.name ?? 'Tư vấn viên', role: 'bot' } : { ...BOT_ACCOUNT, role: 'bot' };
}

/**
 * Stored attachments as the page may fetch them: a file kept by the assistant is stored as
 * `webchat-media:<id>` and handed out as a signed link under `origin` (see upload.ts).
 */
export type PageAttachments = (stored: unknown, origin: string) => unknown[] | undefined;

/** How activities are shown to one client: where it reaches this server, and how files are linked. */
export interface ActivityView {
  origin: string;
  attachmentsFor?: PageAttachments;
}

export function toDirectLineActivity(m: StoredMessage, conversationId: string, view?: ActivityView): Record<string, unknown> {
  const a = m.activity as Partial<Activity>;
  const inbound = m.direction === 'in';
  const channelData = inbound ? echoableChannelData(a.channelData) : null;
  const attachments = view?.attachmentsFor ? view.attachmentsFor(a.attachments, view.origin) : a.attachments?.length ? a.attachments : undefined;
  return {
    type: 'message',
    id: directLineIdOf(m, conversationId),
    timestamp: m.createdAt.toISOString(),
    channelId: 'directline',
    conversation: { id: conversationId },
    from: inbound ? { id: a.from?.id, name: a.from?.name, role: 'user' } : senderOf(a),
    text: m.text,
    ...(!inbound && typeof a.replyToId === 'string' && a.replyToId ? { replyToId: `${conversationId}|${a.replyToId}` } : {}),
    ...(channelData ? { channelData } : {}),
    ...(attachments ? { attachments } : {}),
    ...(a.suggestedActions ? { suggestedActions: a.suggestedActions } : {}),
    ...(a.locale ? { locale: a.locale } : {}),
  };
}

/**
 * The activities after watermark `after` that may be handed out now (no gap: see
 * readable.ts), the new watermark, and the stored conversation's id (null before its first
 * message).
 */
export async function readActivities(
  store: Store,
  address: ConversationAddress,
  after: number,
  now: Date,
  view?: ActivityView,
  limit = 200,
): Promise<{ activities: Record<string, unknown>[]; watermark: number; conversationId: string | null; complete: boolean }> {
  const conversation = await store.conversations.findByAddress(address);
  const stored = conversation ? await store.messages.listByConversation(conversation.id, after, limit) : [];
  const readable = readableRun(stored, after, now);
  return {
    activities: readable.map((m) => toDirectLineActivity(m, address.chatId, view)),
    watermark: readable.at(-1)?.position ?? after,
    conversationId: conversation?.id ?? null,
    // False when a gap held messages back: the reader should look again soon.
    complete: readable.length === stored.length,
  };
}
