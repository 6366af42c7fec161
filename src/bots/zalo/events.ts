/**
 * Zalo OA webhook events (shared/channels.md 2.1) read into what the assistant does with
 * them: an Activity for the TurnRunner (a citizen's text, a button tap, a photo…), a
 * follow or unfollow to record, an echo of the OA's own message to recognise and leave
 * unanswered, or nothing. Pure: no I/O, so every payload shape is tested without HTTP.
 *
 * Ids stay strings (Zalo ids are long decimal strings that a Number would round).
 * `sender.id` is the citizen's OA-scoped id, the one to reply to; `user_id_by_app` is a
 * different, app-scoped id and is not used.
 */
import type { Activity, Attachment } from 'botbuilder';
import { z } from 'zod';

const id = z.string().min(1);

/** Every event carries these; they are also what the signature covers (with the raw body). */
export const zaloEnvelopeSchema = z.looseObject({
  app_id: id,
  event_name: z.string().min(1),
  // Epoch milliseconds as a string; tolerated as a number (the signature uses its text).
  timestamp: z.union([z.string().regex(/^\d{1,16}$/), z.number().int().nonnegative()]).transform(String),
});

const attachmentSchema = z.looseObject({
  type: z.string().optional(),
  payload: z.looseObject({}).optional(),
});

const userMessageSchema = z.looseObject({
  sender: z.looseObject({ id }),
  recipient: z.looseObject({ id }).optional(),
  message: z.looseObject({
    msg_id: id,
    text: z.string().optional(),
    attachments: z.array(attachmentSchema).optional(),
  }),
});

/** follow / unfollow: `oa_id` and `follower.id`; tolerated with `recipient` / `sender` too. */
const followSchema = z.looseObject({
  oa_id: id.optional(),
  follower: z.looseObject({ id }).optional(),
  sender: z.looseObject({ id }).optional(),
  recipient: z.looseObject({ id }).optional(),
});

const echoSchema = z.looseObject({
  sender: z.looseObject({ id }).optional(),
  recipient: z.looseObject({ id }).optional(),
  message: z.looseObject({ msg_id: id.optional() }).optional(),
});

/**
 * Payload prefix of a button that is not a plain choice text (shared/channels.md 2.1
 * suggests `#btn:`). Our own buttons send the choice's text itself (oa.query.show shows it
 * in the citizen's chat); a payload with the prefix is read as the text after it.
 */
export const BUTTON_PAYLOAD_PREFIX = '#btn:';

export type ZaloEvent =
  | { kind: 'activity'; activity: Partial<Activity>; oaId: string | null }
  | { kind: 'follow' | 'unfollow'; userId: string; oaId: string | null }
  | { kind: 'echo'; eventName: string; msgId: string | null; oaId: string | null }
  | { kind: 'ignored'; eventName: string; oaId: string | null }
  /** The event is of a known kind but not shaped as expected (logged without content). */
  | { kind: 'malformed'; eventName: string };

/**
 * Media kinds: the platform reference goes into activity.attachments, typed as the other
 * channels type theirs (the bot's non-text step answers by the MIME family: a voice note,
 * a picture, anything else; Zalo does not say the exact type, hence the wildcards).
 */
const MEDIA: Record<string, { contentType: string; name: string }> = {
  image: { contentType: 'image/*', name: 'image' },
  gif: { contentType: 'image/gif', name: 'gif' },
  sticker: { contentType: 'image/*', name: 'sticker' },
  audio: { contentType: 'audio/*', name: 'voice' },
  voice: { contentType: 'audio/*', name: 'voice' },
  video: { contentType: 'video/*', name: 'video' },
  file: { contentType: 'application/octet-stream', name: 'file' },
  location: { contentType: 'application/vnd.ctxh.location', name: 'location' },
  link: { contentType: 'application/vnd.zalo.link', name: 'link' },
  business_card: { contentType: 'application/vnd.zalo.business-card', name: 'business-card' },
};

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** One Zalo attachment as a botbuilder Attachment: its kind, and its URL or id on Zalo. */
export function zaloAttachment(kind: string, raw: z.infer<typeof attachmentSchema> | undefined): Attachment {
  const known = MEDIA[raw?.type ?? kind] ?? MEDIA[kind] ?? { contentType: `application/vnd.zalo.${kind}`, name: kind };
  const p = (raw?.payload ?? {}) as Record<string, unknown>;
  const coordinates = (p.coordinates ?? p) as Record<string, unknown>;
  const lat = Number(coordinates.latitude);
  const lng = Number(coordinates.longitude);
  const isLocation = known.name === 'location' && Number.isFinite(lat) && Number.isFinite(lng);
  // Zalo's media links are plain https links to its CDN (no token in them): the console shows them as they are.
  const contentUrl = isLocation ? undefined : (str(p.url) ?? str(p.href) ?? str(p.thumbnail));
  const refId = str(p.id) ?? str(p.attachment_id) ?? str(p.sticker_id);
  return {
    contentType: known.contentType,
    ...(contentUrl ? { contentUrl } : {}),
    name: str(p.name) ?? known.name,
    content: { zaloType: raw?.type ?? kind, ...(refId ? { id: refId } : {}), ...(isLocation ? { latitude: lat, longitude: lng } : {}) },
  };
}

/** The text a button tap carries: its payload, without our prefix. */
export function buttonText(text: string): string {
  return text.startsWith(BUTTON_PAYLOAD_PREFIX) ? text.slice(BUTTON_PAYLOAD_PREFIX.length) : text;
}

/** A verified event body (the envelope parsed) read into what to do with it. */
export function readZaloEvent(body: Record<string, unknown>): ZaloEvent {
  const eventName = String(body.event_name ?? '');
  if (eventName === 'follow' || eventName === 'unfollow') {
    const f = followSchema.safeParse(body);
    const userId = f.success ? (f.data.follower?.id ?? f.data.sender?.id) : undefined;
    if (!f.success || !userId) return { kind: 'malformed', eventName };
    return { kind: eventName, userId, oaId: f.data.oa_id ?? f.data.recipient?.id ?? null };
  }
  if (eventName.startsWith('oa_send_')) {
    const e = echoSchema.safeParse(body);
    return { kind: 'echo', eventName, msgId: e.success ? (e.data.message?.msg_id ?? null) : null, oaId: e.success ? (e.data.sender?.id ?? null) : null };
  }
  // user_click_button is documented by one community node only [unconfirmed]: read like a text.
  if (!eventName.startsWith('user_send_') && eventName !== 'user_click_button') {
    const r = (body.recipient as { id?: unknown } | undefined)?.id;
    return { kind: 'ignored', eventName, oaId: typeof r === 'string' ? r : null };
  }
  const m = userMessageSchema.safeParse(body);
  if (!m.success) return { kind: 'malformed', eventName };
  const { sender, recipient, message } = m.data;
  const oaId = recipient?.id ?? null;
  const kind = eventName === 'user_click_button' ? 'text' : eventName.slice('user_send_'.length);
  let text = message.text ?? '';
  let attachments: Attachment[] | undefined;
  if (kind === 'text') {
    text = buttonText(text);
  } else {
    // A photo or voice note: its reference for the console; a caption, if any, stays the
    // text (risk triage reads every word a citizen sends).
    const list = message.attachments?.length ? message.attachments : [undefined];
    attachments = list.map((a) => zaloAttachment(kind, a));
    if (kind === 'link') text = '';
  }
  const timestamp = new Date(Number(body.timestamp));
  return {
    kind: 'activity',
    oaId,
    activity: {
      type: 'message',
      // Prefixed: a Zalo message id can never collide with another kind of id on this channel.
      id: `msg:${message.msg_id}`,
      channelId: 'zalo',
      serviceUrl: 'zalo',
      ...(Number.isFinite(timestamp.getTime()) ? { timestamp } : {}),
      from: { id: sender.id, name: '' },
      recipient: { id: oaId ?? 'oa', name: 'Trợ lý CTXH' },
      conversation: { id: sender.id, isGroup: false, conversationType: 'personal', name: '' },
      text,
      locale: 'vi-VN',
      ...(attachments ? { attachments } : {}),
      channelData: { eventName, msgId: message.msg_id },
    },
  };
}
