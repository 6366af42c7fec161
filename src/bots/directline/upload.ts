/**
 * Files from the web chat's paperclip: Direct Line 3.0's
 * `POST /v3/directline/conversations/{id}/upload`, the console's way to open them, and
 * signed links for the citizen's own page.
 *
 * Web Chat posts multipart/form-data: one or more file parts, and optionally a part named
 * `activity` (JSON, application/vnd.microsoft.activity) with the text and the page's
 * clientActivityID. Only photos and voice notes are taken, and only when the bytes say so
 * (a declared type is the sender's word, the magic bytes are the file's). A file that is
 * refused leaves nothing behind; a file that is taken is stored in the store (web chat has
 * no platform that keeps it) and goes with its conversation on erasure and retention.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TurnContext } from 'botbuilder';
import type express from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { MediaSources } from '../../console/media.js';
import type { Store, StoredMedia, StoredMessage } from '../../store/types.js';
import type { TurnRunner } from '../turn-runner.js';
import { citizenActivity } from './activities.js';
import type { TokenClaims } from './tokens.js';

/** The stored URL of a web chat file: `webchat-media:<media id>` (src/console/media.ts). */
export const WEBCHAT_MEDIA_SCHEME = 'webchat-media';

/** What the paperclip takes by default (DIRECTLINE_UPLOAD_TYPES): photos and voice notes. */
export const DEFAULT_UPLOAD_TYPES = [
  'image/jpeg', 'image/png', 'image/webp', 'image/gif',
  'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/ogg', 'audio/webm', 'audio/wav', 'audio/x-m4a',
] as const;

/** Files per upload; Web Chat sends one per attachment the citizen picked. */
export const MAX_UPLOAD_FILES = 5;

/** What a file's first bytes say it is. */
export type SniffedKind = 'jpeg' | 'png' | 'gif' | 'webp' | 'mp3' | 'aac' | 'mp4' | 'ogg' | 'wav' | 'webm';

/** For each content type the sniffer can vouch for, the kinds of bytes that may carry it. */
const KINDS_OF: Record<string, readonly SniffedKind[]> = {
  'image/jpeg': ['jpeg'], 'image/jpg': ['jpeg'], 'image/png': ['png'], 'image/gif': ['gif'], 'image/webp': ['webp'],
  'audio/mpeg': ['mp3'], 'audio/mp3': ['mp3'],
  // AAC comes raw (ADTS, maybe after an ID3 tag) or in an MP4 box.
  'audio/aac': ['aac', 'mp4', 'mp3'], 'audio/x-aac': ['aac', 'mp4', 'mp3'],
  'audio/mp4': ['mp4'], 'audio/x-m4a': ['mp4'], 'audio/m4a': ['mp4'],
  'audio/ogg': ['ogg'], 'audio/opus': ['ogg'], 'audio/webm': ['webm'],
  'audio/wav': ['wav'], 'audio/x-wav': ['wav'], 'audio/wave': ['wav'],
};

/** Content types an allow-list may name: the ones whose bytes can be checked. */
export const SNIFFABLE_TYPES: readonly string[] = Object.keys(KINDS_OF);

/**
 * What a file's first bytes say it is, or null for anything else (text, HTML, PDF…).
 * Pure: the upload uses it so that a page renamed .png is never stored as an image.
 *
 * @example sniffMedia(Buffer.from('89504e470d0a1a0a', 'hex')) // 'png'
 */
export function sniffMedia(b: Uint8Array): SniffedKind | null {
  const ascii = (at: number, s: string) => [...s].every((c, i) => b[at + i] === c.charCodeAt(0));
  const bytes = (at: number, v: readonly number[]) => v.every((x, i) => b[at + i] === x);
  if (bytes(0, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (bytes(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  if (ascii(0, 'RIFF') && ascii(8, 'WAVE')) return 'wav';
  if (ascii(0, 'OggS')) return 'ogg';
  if (bytes(0, [0x1a, 0x45, 0xdf, 0xa3])) return 'webm'; // EBML (WebM, Matroska)
  if (ascii(4, 'ftyp')) return 'mp4'; // ISO base media: MP4, M4A
  if (ascii(0, 'ID3')) return 'mp3';
  const [b0, b1, b2] = [b[0], b[1], b[2]];
  if (b0 === 0xff && b1 !== undefined && b2 !== undefined) {
    // ADTS (raw AAC): 12 sync bits, layer 00.
    if ((b1 & 0xf6) === 0xf0) return 'aac';
    // An MPEG audio frame: 11 sync bits, a version and a layer that are not reserved, a valid bitrate.
    if ((b1 & 0xe0) === 0xe0 && ((b1 >> 3) & 3) !== 1 && ((b1 >> 1) & 3) !== 0 && b2 >> 4 !== 0xf) return 'mp3';
  }
  return null;
}

/** A declared content type without parameters, lowercased: 'audio/webm;codecs=opus' → 'audio/webm'. */
export const baseContentType = (type: string | undefined): string => String(type ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * Whether these bytes really are of the declared type (parameters ignored).
 *
 * @example mediaMatches('image/png', pngBytes) // true; mediaMatches('image/png', Buffer.from('<html>')) // false
 */
export function mediaMatches(declared: string, bytes: Uint8Array): boolean {
  const kind = sniffMedia(bytes);
  return kind !== null && (KINDS_OF[baseContentType(declared)]?.includes(kind) ?? false);
}

/**
 * A file name fit to show: no folders, no control characters, at most 200 characters.
 *
 * @example cleanFileName('../../ảnh giấy tờ.png') // 'ảnh giấy tờ.png'
 */
export function cleanFileName(name: string | undefined): string {
  const base = String(name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  return base.replace(/[\u0000-\u001f\u007f]/g, '').normalize('NFC').trim().slice(0, 200);
}

type ErrorCode = 'BadArgument' | 'UnsupportedMediaType' | 'PayloadTooLarge' | 'TokenInvalid' | 'Forbidden' | 'NotFound' | 'Conflict';

class UploadRefused extends Error {
  constructor(readonly status: number, readonly code: ErrorCode, message: string) {
    super(message);
  }
}

function fail(res: express.Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } });
}

const megabytes = (n: number) => `${Math.round((n / 1_048_576) * 10) / 10} MB`;
const unsupported = (types: readonly string[]) =>
  new UploadRefused(415, 'UnsupportedMediaType', `Mình chỉ nhận ảnh hoặc ghi âm (${types.join(', ')}). / Only photos and voice notes are accepted (${types.join(', ')}).`);
const tooLarge = (maxBytes: number) =>
  new UploadRefused(413, 'PayloadTooLarge', `Tệp lớn quá, tối đa ${megabytes(maxBytes)} mỗi tệp và ${MAX_UPLOAD_FILES} tệp mỗi lần. / Too large: at most ${megabytes(maxBytes)} per file and ${MAX_UPLOAD_FILES} files per upload.`);
const bad = (vi: string, en: string) => new UploadRefused(400, 'BadArgument', `${vi} / ${en}`);

/** The `activity` part: what matters of it (Web Chat sends much more, which is dropped). */
const activityPartSchema = z.object({
  type: z.string().max(20).optional(),
  text: z.string().max(2000, 'tin nhắn dài quá 2000 ký tự / text longer than 2000 characters').optional(),
  from: z.object({ name: z.string().max(200).optional() }).optional(),
  locale: z.string().max(20).optional(),
  channelData: z.unknown().optional(),
});
type ActivityPart = z.infer<typeof activityPartSchema>;

function readActivityPart(raw: unknown): ActivityPart {
  if (raw === undefined) return {};
  if (typeof raw !== 'string' || raw.length > 64 * 1024) throw bad('Phần activity không đọc được.', 'The activity part is not readable.');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw bad('Phần activity không phải JSON.', 'The activity part is not JSON.');
  }
  const parsed = activityPartSchema.safeParse(json);
  if (!parsed.success) throw bad('Phần activity không hợp lệ.', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  if (parsed.data.type !== undefined && parsed.data.type !== 'message') throw bad('Chỉ nhận tin nhắn.', 'Only message activities carry files.');
  return parsed.data;
}

/** The stored inbound message with this platform id, looked for from the newest (a retry is recent). */
async function inboundWith(store: Store, conversationId: string, platformMessageId: string): Promise<StoredMessage | null> {
  const last = await store.messages.lastInbound(conversationId);
  if (last?.platformMessageId === platformMessageId) return last;
  for (let after = 0; ; ) {
    const page = await store.messages.listByConversation(conversationId, after, 500);
    const hit = page.find((m) => m.direction === 'in' && m.platformMessageId === platformMessageId);
    if (hit || page.length < 500) return hit ?? null;
    after = page.at(-1)!.position;
  }
}

export interface UploadDeps {
  store: Store;
  runner: TurnRunner;
  now: () => Date;
  /** DIRECTLINE_UPLOAD_MAX_BYTES: per file; keep it well under MongoDB's 16 MiB document. */
  maxBytes: number;
  /** DIRECTLINE_UPLOAD_TYPES: content types taken; each must be one of SNIFFABLE_TYPES (else uploadHandler throws). */
  allowedTypes?: readonly string[];
  /** A turn is taking a while: show the citizen the bot is writing (as for a posted message). */
  typing?: (conversationId: string) => void;
  /** How long a turn runs before the typing indicator. Default 300 ms. */
  typingAfterMs?: number;
}

/**
 * The upload endpoint's handlers, to mount after the token check (which sets `req.claims`):
 * parses the multipart body in memory within the limits, checks every file's declared
 * type against the allow-list and its bytes against the type, stores the files, then
 * accepts and runs one inbound message carrying them, as a posted text message is (the
 * same clientActivityID-based id, so a retried upload is one message with one answer).
 *
 * @example
 * router.post('/conversations/:conversationId/upload', requireToken,
 *   ...uploadHandler({ store, runner, now, maxBytes: 5 * 1024 * 1024 }));
 */
export function uploadHandler(deps: UploadDeps): express.RequestHandler[] {
  const { store, runner } = deps;
  const types = [...(deps.allowedTypes ?? DEFAULT_UPLOAD_TYPES)].map(baseContentType);
  const unknown = types.filter((t) => !SNIFFABLE_TYPES.includes(t));
  // Fails at start-up rather than refusing every such file later: its bytes could never be checked.
  if (unknown.length > 0) throw new Error(`DIRECTLINE_UPLOAD_TYPES: cannot check the bytes of ${unknown.join(', ')} (known: ${SNIFFABLE_TYPES.join(', ')})`);
  const allowed = new Set(types);
  const parse = multer({
    storage: multer.memoryStorage(),
    // Browsers send file names as raw UTF-8 (Vietnamese names stay readable).
    defParamCharset: 'utf8',
    // One more file than MAX_UPLOAD_FILES: Web Chat sends the activity as a file part too.
    limits: { fileSize: deps.maxBytes, files: MAX_UPLOAD_FILES + 1, fields: 4, fieldSize: 64 * 1024, parts: MAX_UPLOAD_FILES + 5, fieldNameSize: 100 },
    // Refused on the declared type before its bytes are read; the bytes are checked after.
    fileFilter: (_req, file, cb) => (file.fieldname === 'activity' || allowed.has(baseContentType(file.mimetype)) ? cb(null, true) : cb(unsupported(types))),
  }).any();

  const parseStep: express.RequestHandler = (req, res, next) => {
    if (!req.is('multipart/form-data')) return fail(res, 400, 'BadArgument', 'Cần gửi tệp dạng multipart/form-data. / Expected multipart/form-data.');
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      if (err instanceof UploadRefused) return fail(res, err.status, err.code, err.message);
      if (err instanceof multer.MulterError) {
        if (err.code.startsWith('LIMIT_') && err.code !== 'LIMIT_UNEXPECTED_FILE') {
          const e = tooLarge(deps.maxBytes);
          return fail(res, e.status, e.code, e.message);
        }
      }
      fail(res, 400, 'BadArgument', 'Yêu cầu tải tệp không đọc được. / The upload could not be read.');
    });
  };

  const handle = async (req: express.Request & { claims?: TokenClaims }, res: express.Response, next: express.NextFunction) => {
    const claims = req.claims;
    if (!claims) return fail(res, 403, 'TokenInvalid', 'Token is missing, invalid or expired');
    const parts = (req.files as Express.Multer.File[] | undefined) ?? [];
    const files = parts.filter((p) => p.fieldname !== 'activity');
    let posted: ActivityPart;
    let checked: Array<{ contentType: string; name: string; bytes: Buffer }>;
    try {
      const activityFile = parts.find((p) => p.fieldname === 'activity');
      posted = readActivityPart(activityFile ? activityFile.buffer.toString('utf8') : (req.body as Record<string, unknown> | undefined)?.activity);
      if (files.length === 0) throw bad('Không thấy tệp nào.', 'No file in the upload.');
      if (files.length > MAX_UPLOAD_FILES) throw tooLarge(deps.maxBytes);
      checked = files.map((f) => {
        const contentType = baseContentType(f.mimetype);
        if (!allowed.has(contentType) || !mediaMatches(contentType, f.buffer)) throw unsupported(types);
        return { contentType, name: cleanFileName(f.originalname), bytes: f.buffer };
      });
    } catch (err) {
      if (err instanceof UploadRefused) return fail(res, err.status, err.code, err.message);
      return next(err);
    }
    try {
      const { conversationId, userId } = claims;
      const { activity, id, clientActivityID } = citizenActivity(claims, posted, deps.now());
      // The files belong to the store's conversation (erasure removes by it): the same upsert
      // the runner makes when it accepts the message.
      const reference = TurnContext.getConversationReference(activity) as Record<string, unknown>;
      const conversation = await store.conversations.upsert({ channel: 'webchat', userId, chatId: conversationId }, reference, deps.now());
      const stored: StoredMedia[] = [];
      for (const f of checked) stored.push(await store.media.put({ conversationId: conversation.id, ...f, createdAt: deps.now() }));
      activity.attachments = stored.map((m) => ({ contentType: m.contentType, contentUrl: `${WEBCHAT_MEDIA_SCHEME}:${m.id}`, name: m.name }));
      const accepted = await runner.accept('webchat', activity);
      if (!accepted) {
        // A retry of a message already stored keeps the first upload's files: these go.
        const holder = clientActivityID ? await inboundWith(store, conversation.id, id) : null;
        const ours = JSON.stringify((holder?.activity as { attachments?: unknown } | undefined)?.attachments ?? []).includes(stored[0]!.id);
        if (clientActivityID && !ours) await store.media.remove(stored.map((m) => m.id));
        if (clientActivityID) return void res.json({ id: `${conversationId}|${id}` });
        return fail(res, 409, 'Conflict', 'Activity already received');
      }
      const timer = deps.typing ? setTimeout(() => deps.typing!(conversationId), deps.typingAfterMs ?? 300) : undefined;
      try {
        await runner.run(accepted);
      } finally {
        clearTimeout(timer);
      }
      res.json({ id: `${conversationId}|${id}` });
    } catch (err) {
      next(err);
    }
  };
  return [parseStep, handle as express.RequestHandler];
}

/**
 * Lets the console open web chat files: `webchat-media:<id>` is read from the store. The
 * console checks the counsellor, audits the opening and sets its own headers.
 *
 * @example registerWebchatMedia(media, store); // after `const media = new MediaSources()`
 */
export function registerWebchatMedia(media: MediaSources, store: Store): void {
  media.register(WEBCHAT_MEDIA_SCHEME, async (id) => {
    const file = await store.media.get(id);
    return file
      ? new Response(new Uint8Array(file.bytes), { headers: { 'content-type': file.contentType, 'content-length': String(file.size) } })
      : new Response(null, { status: 404 });
  });
}

/** Signs and checks links to web chat files. */
export interface MediaLinks {
  /** `<basePath><mediaId>?exp=<unix seconds>&sig=<base64url HMAC-SHA256>`. */
  sign(mediaId: string): string;
  /** 'ok' for a link this signer made that has not run out. */
  check(mediaId: string, exp: unknown, sig: unknown): 'ok' | 'expired' | 'invalid';
}

/**
 * Links to web chat files for the citizen's own page: an <img> or <audio> cannot send the
 * bearer token, so the link carries its own proof, an HMAC of the id and an expiry under
 * a key derived from `secret` (a link is never a token). Expiry is rounded up to five
 * minutes so that the same file gives the same URL for a while (the browser caches it).
 *
 * @example
 * const links = mediaLinks(config.DIRECTLINE_TOKEN_SECRET, 3600, now);
 * links.sign(id) // '/v3/directline/media/<id>?exp=1795000000&sig=…'
 */
export function mediaLinks(secret: string, ttlSeconds: number, now: () => Date, basePath = '/v3/directline/media/'): MediaLinks {
  const key = createHmac('sha256', secret).update('ctxh webchat-media links v1').digest();
  const mac = (mediaId: string, exp: string) => createHmac('sha256', key).update(`${mediaId}\n${exp}`).digest('base64url');
  const nowSeconds = () => Math.floor(now().getTime() / 1000);
  return {
    sign(mediaId) {
      const exp = String(Math.ceil((nowSeconds() + ttlSeconds) / 300) * 300);
      return `${basePath}${encodeURIComponent(mediaId)}?exp=${exp}&sig=${mac(mediaId, exp)}`;
    },
    check(mediaId, exp, sig) {
      if (typeof exp !== 'string' || !/^\d{1,12}$/.test(exp) || typeof sig !== 'string' || !/^[\w-]{43}$/.test(sig)) return 'invalid';
      const expected = Buffer.from(mac(mediaId, exp));
      const given = Buffer.from(sig);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
      return Number(exp) < nowSeconds() ? 'expired' : 'ok';
    },
  };
}

/** `filename*` per RFC 6266/5987: UTF-8, percent-encoded. */
const dispositionName = (name: string) => encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Serves a web chat file to whoever holds a signed link (mount at `GET /media/:mediaId`):
 * 403 for a bad or expired signature (the store is not read), 404 when the file is gone
 * (erased, past retention). Sent as stored, inline, never sniffed into something else.
 *
 * @example router.get('/media/:mediaId', mediaDownloadHandler(store, links));
 */
export function mediaDownloadHandler(store: Store, links: MediaLinks): express.RequestHandler {
  return async (req, res, next) => {
    try {
      const mediaId = String(req.params.mediaId ?? '');
      const verdict = /^[\w-]{16,64}$/.test(mediaId) ? links.check(mediaId, req.query.exp, req.query.sig) : 'invalid';
      if (verdict !== 'ok') {
        return fail(res, 403, 'Forbidden', verdict === 'expired' ? 'Liên kết đã hết hạn. / The link has expired.' : 'Liên kết không hợp lệ. / The link is not valid.');
      }
      const file = await store.media.get(mediaId);
      if (!file) return fail(res, 404, 'NotFound', 'Không còn tệp này. / This file is no longer here.');
      res.set({
        'Content-Type': file.contentType,
        'Content-Length': String(file.size),
        'Content-Disposition': file.name ? `inline; filename*=UTF-8''${dispositionName(file.name)}` : 'inline',
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, max-age=3600',
        'Content-Security-Policy': "default-src 'none'; sandbox",
      });
      res.end(file.bytes);
    } catch (err) {
      next(err);
    }
  };
}

/**
 * The attachments of a stored web chat message as the citizen's page should see them:
 * `webchat-media:` URLs become signed links; anything else is left out (a stored scheme
 * means nothing to a browser). Undefined when there are none, so the field can be spread.
 *
 * @example ...(attachments ? { attachments } : {}) where attachments = pageAttachments(a.attachments, links)
 */
export function pageAttachments(attachments: unknown, links: MediaLinks): Array<{ contentType: string; contentUrl: string; name?: string }> | undefined {
  if (!Array.isArray(attachments)) return undefined;
  const prefix = `${WEBCHAT_MEDIA_SCHEME}:`;
  const out = attachments
    .filter((a): a is { contentType?: unknown; contentUrl: string; name?: unknown } => typeof a?.contentUrl === 'string' && a.contentUrl.startsWith(prefix))
    .map((a) => ({
      contentType: String(a.contentType ?? 'application/octet-stream'),
      contentUrl: links.sign(a.contentUrl.slice(prefix.length)),
      ...(typeof a.name === 'string' && a.name ? { name: a.name } : {}),
    }));
  return out.length > 0 ? out : undefined;
}
