/**
 * Web Chat's paperclip: files posted to Direct Line's upload endpoint. Photos and voice
 * notes whose bytes say so are stored and answered as one message (a retry with the same
 * clientActivityID is that same message); anything else, or anything too large, is
 * refused and leaves nothing behind. The citizen's page reads its files back through
 * signed links, the console through `webchat-media:` URLs, and erasure takes them away.
 *
 * The first block needs no server (the sniffer, the link signing, the console's scheme);
 * the second runs the real assistant.
 */
import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanFileName,
  mediaLinks,
  mediaMatches,
  pageAttachments,
  registerWebchatMedia,
  sniffMedia,
  uploadHandler,
  WEBCHAT_MEDIA_SCHEME,
} from '../src/bots/directline/upload.js';
import { MediaSources } from '../src/console/media.js';
import { sweepRetention } from '../src/server/retention.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startAssistant } from './support/assistant.js';
import { onePixelPng } from './support/media-files.js';

const PNG = onePixelPng();
const hex = (h: string) => Buffer.from(h.replace(/\s/g, ''), 'hex');

describe('what an upload may be', () => {
  it('knows images and audio by their first bytes, and nothing else', () => {
    expect(sniffMedia(PNG)).toBe('png');
    expect(sniffMedia(hex('ffd8ffe000104a464946'))).toBe('jpeg');
    expect(sniffMedia(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'))).toBe('gif');
    expect(sniffMedia(Buffer.from('RIFF\x24\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('webp');
    expect(sniffMedia(Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'))).toBe('wav');
    expect(sniffMedia(Buffer.from('OggS\x00\x02', 'latin1'))).toBe('ogg');
    expect(sniffMedia(hex('1a45dfa3 9f4286 81'))).toBe('webm');
    expect(sniffMedia(Buffer.from('\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00', 'latin1'))).toBe('mp4');
    expect(sniffMedia(Buffer.from('ID3\x04\x00\x00', 'latin1'))).toBe('mp3');
    expect(sniffMedia(hex('fffb9064'))).toBe('mp3'); // MPEG-1 layer III frame
    expect(sniffMedia(hex('fff15080'))).toBe('aac'); // ADTS
    for (const other of ['hello, this is not an image', '<!doctype html><script>alert(1)</script>', '%PDF-1.7', '<svg xmlns="http://www.w3.org/2000/svg"/>', '']) {
      expect(sniffMedia(Buffer.from(other))).toBeNull();
    }
    expect(sniffMedia(hex('ff'))).toBeNull();
    expect(sniffMedia(hex('fffa'))).toBeNull();
  });

  it('takes a declared type only when the bytes are of it', () => {
    expect(mediaMatches('image/png', PNG)).toBe(true);
    expect(mediaMatches('IMAGE/PNG', PNG)).toBe(true);
    expect(mediaMatches('image/jpeg', PNG)).toBe(false);
    expect(mediaMatches('image/png', Buffer.from('hello'))).toBe(false);
    expect(mediaMatches('audio/webm;codecs=opus', hex('1a45dfa39f4286'))).toBe(true);
    expect(mediaMatches('audio/x-m4a', Buffer.from('\x00\x00\x00\x20ftypM4A ', 'latin1'))).toBe(true);
    // A type nobody can check is never taken, whatever the bytes.
    expect(mediaMatches('image/svg+xml', PNG)).toBe(false);
    expect(mediaMatches('text/html', PNG)).toBe(false);
  });

  it('refuses at start an allow-list naming a type whose bytes cannot be checked', () => {
    const deps = { store: {} as never, runner: {} as never, now: () => new Date(), maxBytes: 1024 };
    expect(() => uploadHandler({ ...deps, allowedTypes: ['image/png', 'image/svg+xml'] })).toThrow(/image\/svg\+xml/);
    expect(uploadHandler({ ...deps, allowedTypes: ['image/png', 'AUDIO/OGG'] })).toHaveLength(2);
    expect(uploadHandler(deps)).toHaveLength(2);
  });

  it('keeps a file name fit to show', () => {
    expect(cleanFileName('../../etc/ảnh giấy tờ.png')).toBe('ảnh giấy tờ.png');
    expect(cleanFileName('C:\\Users\\lan\\ghi âm.ogg')).toBe('ghi âm.ogg');
    expect(cleanFileName('a\u0000b\nc.png')).toBe('abc.png');
    expect(cleanFileName(undefined)).toBe('');
    expect(cleanFileName('x'.repeat(300))).toHaveLength(200);
  });
});

describe('signed links to web chat files', () => {
  const secret = 'test-secret-test-secret-test-secret-0123';
  // Not on a five-minute boundary: a second later is still in the same rounding.
  let at = new Date('2026-11-22T08:01:00Z');
  const links = mediaLinks(secret, 3600, () => at);

  it('signs an id with an expiry, and checks it', () => {
    const link = links.sign('abcDEF_123-xyz456789');
    const match = /^\/v3\/directline\/media\/abcDEF_123-xyz456789\?exp=(\d+)&sig=([\w-]{43})$/.exec(link);
    expect(match).not.toBeNull();
    const [, exp, sig] = match!;
    expect(Number(exp) * 1000 - at.getTime()).toBeGreaterThanOrEqual(3600_000);
    expect(Number(exp) * 1000 - at.getTime()).toBeLessThanOrEqual(3900_000);
    expect(links.check('abcDEF_123-xyz456789', exp, sig)).toBe('ok');
    // Another id, another expiry, a changed signature, another secret: refused.
    expect(links.check('abcDEF_123-xyz456780', exp, sig)).toBe('invalid');
    expect(links.check('abcDEF_123-xyz456789', String(Number(exp) + 300), sig)).toBe('invalid');
    const tampered = `${sig!.slice(0, -1)}${sig!.endsWith('A') ? 'B' : 'A'}`;
    expect(links.check('abcDEF_123-xyz456789', exp, tampered)).toBe('invalid');
    expect(mediaLinks(`${secret}x`, 3600, () => at).check('abcDEF_123-xyz456789', exp, sig)).toBe('invalid');
    expect(links.check('abcDEF_123-xyz456789', undefined, sig)).toBe('invalid');
    expect(links.check('abcDEF_123-xyz456789', exp, [sig])).toBe('invalid');
    // The same file gives the same link for a while (the browser caches it).
    at = new Date(at.getTime() + 1000);
    expect(links.sign('abcDEF_123-xyz456789')).toBe(link);
    at = new Date(Number(exp) * 1000 + 1000);
    expect(links.check('abcDEF_123-xyz456789', exp, sig)).toBe('expired');
  });

  it('shows the page its files as signed links, and nothing else', () => {
    const shown = pageAttachments(
      [
        { contentType: 'image/png', contentUrl: `${WEBCHAT_MEDIA_SCHEME}:abcDEF_123-xyz456789`, name: 'anh.png' },
        { contentType: 'image/jpeg', contentUrl: 'telegram-file:AgAD' },
      ],
      links,
    );
    expect(shown).toEqual([{ contentType: 'image/png', contentUrl: links.sign('abcDEF_123-xyz456789'), name: 'anh.png' }]);
    expect(pageAttachments(undefined, links)).toBeUndefined();
    expect(pageAttachments([{ contentUrl: 'telegram-file:x' }], links)).toBeUndefined();
  });

  it('lets the console open a stored file by its webchat-media URL', async () => {
    const store = openSqliteStore(mkdtempSync(join(tmpdir(), 'ctxh-upload-')));
    try {
      const media = new MediaSources();
      registerWebchatMedia(media, store);
      const m = await store.media.put({ conversationId: 'conv-1', contentType: 'image/png', name: 'anh.png', bytes: PNG, createdAt: new Date() });
      expect(media.handles(`${WEBCHAT_MEDIA_SCHEME}:${m.id}`)).toBe(true);
      const opened = await media.open(`${WEBCHAT_MEDIA_SCHEME}:${m.id}`);
      expect(opened?.status).toBe(200);
      expect(opened?.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await opened!.arrayBuffer())).toEqual(PNG);
      expect((await media.open(`${WEBCHAT_MEDIA_SCHEME}:no-such-media`))?.ok).toBe(false);
    } finally {
      await store.close();
    }
  });
});

describe('web chat files past their time', () => {
  it('are deleted by the retention sweep with the messages of their age', async () => {
    const store = openSqliteStore(mkdtempSync(join(tmpdir(), 'ctxh-upload-')));
    try {
      const now = new Date('2026-11-22T08:00:00Z');
      const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
      const put = (at: Date) => store.media.put({ conversationId: 'conv-1', contentType: 'image/png', name: 'anh.png', bytes: PNG, createdAt: at });
      const [old, recent] = [await put(daysAgo(200)), await put(daysAgo(10))];
      const swept = await sweepRetention(store, { now, caseDays: 730, messageDays: 180, holder: 'a', intervalMs: 60_000, batch: 1 });
      expect(swept).toMatchObject({ media: 1 });
      expect(await store.media.get(old.id)).toBeNull();
      expect(await store.media.get(recent.id)).not.toBeNull();
      expect((await store.audit.list({ action: 'retention.swept' }))[0]?.detail).toMatchObject({ media: 1 });
    } finally {
      await store.close();
    }
  });
});

// ——— The real assistant: needs the upload and media routes mounted (see upload.ts). ———

let running: Awaited<ReturnType<typeof startAssistant>>;
beforeAll(async () => {
  running = await startAssistant();
});
afterAll(async () => {
  await running?.close();
});

interface Chat {
  token: string;
  conversationId: string;
  userId: string;
}

async function newChat(): Promise<Chat> {
  const { token, conversationId } = (await (await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST' })).json()) as { token: string; conversationId: string };
  const userId = (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { u: string }).u;
  return { token, conversationId, userId };
}

interface UploadFile {
  bytes: Uint8Array;
  type: string;
  name: string;
}

/** Posts as Web Chat does: the files, then the activity as a part of its own. */
async function upload(chat: Chat, files: UploadFile[], activity?: Record<string, unknown>): Promise<Response> {
  const form = new FormData();
  for (const f of files) form.append('file', new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
  if (activity) form.append('activity', new Blob([JSON.stringify(activity)], { type: 'application/vnd.microsoft.activity' }));
  return fetch(`${running.url}/v3/directline/conversations/${chat.conversationId}/upload?userId=${chat.userId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${chat.token}` },
    body: form,
  });
}

type PageActivity = { from: { role: string; id?: string }; text: string; attachments?: Array<{ contentType: string; contentUrl: string; name?: string }> };

async function page(chat: Chat): Promise<PageActivity[]> {
  const res = await fetch(`${running.url}/v3/directline/conversations/${chat.conversationId}/activities`, { headers: { authorization: `Bearer ${chat.token}` } });
  return ((await res.json()) as { activities: PageActivity[] }).activities;
}

/** Every message the store holds for this chat (none when the conversation was never made). */
async function storedMessages(chat: Chat) {
  const conversation = await running.assistant.store.conversations.findByAddress({ channel: 'webchat', userId: chat.userId, chatId: chat.conversationId });
  return conversation ? running.assistant.store.messages.listByConversation(conversation.id) : [];
}

/** Files in the data file, read as the disk has them. */
function mediaRows(): number {
  const db = new Database(join(running.dataDir, 'ctxh.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM media').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const mediaIdOf = (contentUrl: string) => contentUrl.slice(`${WEBCHAT_MEDIA_SCHEME}:`.length);
const png = (over: Partial<UploadFile> = {}): UploadFile => ({ bytes: PNG, type: 'image/png', name: 'ảnh giấy tờ.png', ...over });

describe('uploading through the paperclip', () => {
  it('stores a photo and answers it as a photo', async () => {
    const chat = await newChat();
    const res = await upload(chat, [png()], { type: 'message', text: '', channelData: { clientActivityID: 'upload-1' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(`${chat.conversationId}|${chat.userId}:upload-1`);
    await running.assistant.runner.idle();
    const stored = await storedMessages(chat);
    const inbound = stored.filter((m) => m.direction === 'in');
    expect(inbound).toHaveLength(1);
    const attachments = (inbound[0]!.activity as { attachments?: Array<{ contentType: string; contentUrl: string; name: string }> }).attachments ?? [];
    expect(attachments).toHaveLength(1);
    expect(attachments[0]).toMatchObject({ contentType: 'image/png', name: 'ảnh giấy tờ.png' });
    expect(attachments[0]!.contentUrl.startsWith(`${WEBCHAT_MEDIA_SCHEME}:`)).toBe(true);
    const replies = stored.filter((m) => m.direction === 'out');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/^Mình chưa xem được ảnh/);
    const file = await running.assistant.store.media.get(mediaIdOf(attachments[0]!.contentUrl));
    expect(file).toMatchObject({ contentType: 'image/png', name: 'ảnh giấy tờ.png', size: PNG.length, conversationId: inbound[0]!.conversationId });
    expect(file?.bytes).toEqual(PNG);
  });

  it('refuses a text file named .png, and stores nothing', async () => {
    const chat = await newChat();
    const before = mediaRows();
    const res = await upload(chat, [png({ bytes: Buffer.from('hello, this is only text\n'), name: 'note.png' })], { type: 'message', channelData: { clientActivityID: 'upload-2' } });
    expect(res.status).toBe(415);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('UnsupportedMediaType');
    expect(body.error.message).toMatch(/ảnh/);
    expect(body.error.message).toMatch(/photos/);
    // A type not on the list is refused before its bytes are read.
    expect((await upload(chat, [{ bytes: Buffer.from('<p>hi</p>'), type: 'text/html', name: 'a.html' }])).status).toBe(415);
    // A good file next to a bad one: the whole upload is refused.
    expect((await upload(chat, [png(), png({ bytes: Buffer.from('GIF89a'), type: 'image/png' })])).status).toBe(415);
    expect(mediaRows()).toBe(before);
    expect(await storedMessages(chat)).toEqual([]);
    expect(await page(chat)).toEqual([]);
  });

  it('refuses a file over the limit with 413, and stores nothing', async () => {
    const chat = await newChat();
    const before = mediaRows();
    const big = Buffer.alloc(6_000_000, 7);
    PNG.copy(big);
    const res = await upload(chat, [png({ bytes: big, name: 'to.png' })], { type: 'message', channelData: { clientActivityID: 'upload-3' } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PayloadTooLarge');
    expect(mediaRows()).toBe(before);
    expect(await storedMessages(chat)).toEqual([]);
  });

  it('refuses an upload without a file, or without a token', async () => {
    const chat = await newChat();
    const res = await upload(chat, [], { type: 'message', text: 'xin chao' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BadArgument');
    const other = await newChat();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'a.png');
    const foreign = await fetch(`${running.url}/v3/directline/conversations/${chat.conversationId}/upload`, { method: 'POST', headers: { authorization: `Bearer ${other.token}` }, body: form });
    expect(foreign.status).toBe(403);
    expect(await storedMessages(chat)).toEqual([]);
  });

  it('takes the same upload posted twice as one message with one answer', async () => {
    const chat = await newChat();
    const before = mediaRows();
    const activity = { type: 'message', text: '', channelData: { clientActivityID: 'upload-retry' } };
    const first = await upload(chat, [png()], activity);
    const again = await upload(chat, [png()], activity);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(await again.json()).toEqual(await first.json());
    await running.assistant.runner.idle();
    const stored = await storedMessages(chat);
    expect(stored.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(stored.filter((m) => m.direction === 'out')).toHaveLength(1);
    // The retry's copy of the file is not kept.
    expect(mediaRows()).toBe(before + 1);
  });

  it('shows the citizen’s page its photo through a signed link, refused when tampered with', async () => {
    const chat = await newChat();
    expect((await upload(chat, [png()], { type: 'message', channelData: { clientActivityID: 'upload-link' } })).status).toBe(200);
    const mine = (await page(chat)).find((a) => a.from.role === 'user');
    const link = mine?.attachments?.[0]?.contentUrl ?? '';
    expect(link).toMatch(/\/v3\/directline\/media\/[\w-]+\?exp=\d+&sig=[\w-]{43}$/);
    const url = new URL(link, running.url);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-disposition')).toMatch(/^inline/);
    expect(res.headers.get('cache-control')).toBe('private, max-age=3600');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
    const sig = url.searchParams.get('sig')!;
    url.searchParams.set('sig', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`);
    expect((await fetch(url)).status).toBe(403);
    url.searchParams.delete('sig');
    expect((await fetch(url)).status).toBe(403);
  });

  it('erases the citizen’s files with their data', async () => {
    const chat = await newChat();
    expect((await upload(chat, [png()], { type: 'message', channelData: { clientActivityID: 'upload-erase' } })).status).toBe(200);
    await running.assistant.runner.idle();
    const inbound = (await storedMessages(chat)).find((m) => m.direction === 'in')!;
    const url = (inbound.activity as { attachments: Array<{ contentUrl: string }> }).attachments[0]!.contentUrl;
    expect(await running.assistant.store.media.get(mediaIdOf(url))).not.toBeNull();
    const say = (text: string) =>
      fetch(`${running.url}/v3/directline/conversations/${chat.conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text }),
      });
    expect((await say('xoa thong tin cua toi')).status).toBe(200);
    expect((await say('Xóa hết')).status).toBe(200);
    await running.assistant.runner.idle();
    expect((await storedMessages(chat)).at(-1)?.text).toMatch(/đã xóa/);
    expect(await running.assistant.store.media.get(mediaIdOf(url))).toBeNull();
  });
});
