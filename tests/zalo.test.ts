/**
 * The Zalo OA channel against a local fake of Zalo's Open API and OAuth hosts
 * (tests/support/fake-zalo.ts): webhooks signed as shared/channels.md 2.1 specifies (its
 * test vector included), consultation replies with buttons or a numbered menu, the
 * error table of 2.2, the consultation window of 2.3, and the token rules of 2.4 (one
 * refresh for 20 concurrent sends, across instances too; a refused refresh token never
 * sent again; a pending answer completed; tokens encrypted at rest and never logged).
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../src/bots/outbox.js';
import { ZaloClient } from '../src/bots/zalo/client.js';
import { readZaloEvent } from '../src/bots/zalo/events.js';
import { choiceForNumber, menuOf, numberedMenu, zaloRequests, ZALO_MESSAGE_DEFAULTS } from '../src/bots/zalo/messages.js';
import { ZaloSender } from '../src/bots/zalo/sender.js';
import { verifyZaloSignature, zaloMac } from '../src/bots/zalo/signature.js';
import { sealPair, TokenCipher } from '../src/bots/zalo/token-cipher.js';
import { ZaloTokenStore } from '../src/bots/zalo/token-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Conversation, Store } from '../src/store/types.js';
import { startAssistant } from './support/assistant.js';
import { capturedLog } from './support/captured-log.js';
import { escapedJson, startFakeZalo, textEvent, userEvent, zaloSignature, type FakeZalo, zaloEnv } from './support/fake-zalo.js';
import { waitFor } from './support/http.js';

const APP_ID = '4318500000000000001';
const APP_SECRET = 'zalo-app-secret-for-tests';
const OA_SECRET = 'zalo-oa-secret-key-for-tests';
const OA_ID = '5790100000000000001';
const TOKEN_KEY = 'channel-token-key-for-tests-0123456789abcdef';
const KEY = `zalo:${APP_ID}`;
const silent = pino({ level: 'silent' });

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fakeZalo(accessTtlSeconds?: number) {
  const fake = await startFakeZalo({ appId: APP_ID, appSecret: APP_SECRET, accessTtlSeconds });
  cleanups.push(fake.close);
  return fake;
}

/** The whole assistant with Zalo on, its tokens seeded from the fake's first pair (refreshed once at start). */
async function setup(extra: Record<string, string> = {}, options: Parameters<typeof startAssistant>[1] = {}) {
  const fake = await fakeZalo();
  const seed = fake.issuePair();
  const running = await startAssistant(
    {
      ...zaloEnv(fake, { appId: APP_ID, appSecret: APP_SECRET, oaSecret: OA_SECRET, oaId: OA_ID, tokenKey: TOKEN_KEY }, seed),
      ...extra,
    },
    options,
  );
  cleanups.push(running.close);
  const { store } = running.assistant;
  // The seeded access token's expiry is unknown: the first job run (at start) refreshes it.
  await waitFor(async () => (await store.channelTokens.get(KEY))?.version === 2, 'the first refresh');
  const post = (event: Record<string, unknown> | string, how: { key?: string; signature?: string | null; timestamp?: string } = {}) => {
    const raw = typeof event === 'string' ? event : escapedJson(event);
    const timestamp = how.timestamp ?? (typeof event === 'string' ? String(JSON.parse(event).timestamp) : String(event.timestamp));
    const appId = typeof event === 'string' ? String(JSON.parse(event).app_id) : String(event.app_id);
    const signature = how.signature === undefined ? zaloSignature(appId, raw, timestamp, how.key ?? OA_SECRET) : how.signature;
    return fetch(`${running.url}/zalo/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-zevent-signature': signature }) },
      body: raw,
    });
  };
  const party = (userId: string) => ({ appId: APP_ID, oaId: OA_ID, userId });
  const conversationOf = (userId: string) => store.conversations.findByAddress({ channel: 'zalo', userId, chatId: userId });
  return { fake, seed, post, party, conversationOf, ...running };
}

let msgSeq = 1;
const msgId = () => `a1b2c3d4e5f6${String(msgSeq++).padStart(6, '0')}`;

describe('Zalo webhook signature', () => {
  it('matches the reference test vector, with or without mac=, with either key, and nothing else', () => {
    const raw = '{"app_id":"111","event_name":"user_send_text","timestamp":"1700000000000"}';
    const vector = 'f95130f084806312c263a785a05ddcbd0b9e09d7e9142ac1611029b14c528672';
    expect(zaloMac('111', raw, '1700000000000', 'test-oa-secret')).toBe(vector);
    const fields = { appId: '111', timestamp: '1700000000000' };
    const body = Buffer.from(raw);
    expect(verifyZaloSignature(`mac=${vector}`, body, fields, ['test-oa-secret'])).toBe(0);
    expect(verifyZaloSignature(vector, body, fields, ['test-oa-secret'])).toBe(0);
    expect(verifyZaloSignature(`MAC=${vector.toUpperCase()}`, body, fields, ['test-oa-secret'])).toBe(0);
    // The key is [unconfirmed]: the OA secret key or the app secret; the index says which matched.
    expect(verifyZaloSignature(`mac=${vector}`, body, fields, ['the-app-secret', 'test-oa-secret'])).toBe(1);
    expect(verifyZaloSignature(`mac=${vector}`, body, fields, ['wrong'])).toBe(-1);
    expect(verifyZaloSignature(undefined, body, fields, ['test-oa-secret'])).toBe(-1);
    expect(verifyZaloSignature('mac=abc', body, fields, ['test-oa-secret'])).toBe(-1);
    // One byte of the body changed, or the timestamp, and it no longer matches.
    expect(verifyZaloSignature(`mac=${vector}`, Buffer.from(raw.replace('111', '112')), fields, ['test-oa-secret'])).toBe(-1);
    expect(verifyZaloSignature(`mac=${vector}`, body, { ...fields, timestamp: '1700000000001' }, ['test-oa-secret'])).toBe(-1);
  });
});

describe('Zalo messages (pure)', () => {
  const withChoices = (text: string, choices: string[]): Partial<Activity> => ({
    type: 'message',
    text,
    suggestedActions: { to: [], actions: choices.map((c) => ({ type: 'imBack', title: c, value: c })) },
  });

  it('shows up to four choices as oa.query.show buttons whose payload is the whole choice', () => {
    const [body] = zaloRequests({ user_id: 'u1' }, withChoices('Bạn muốn làm gì tiếp theo?', ['Hỏi câu khác', 'Gặp tư vấn viên']), ZALO_MESSAGE_DEFAULTS);
    expect(body).toEqual({
      recipient: { user_id: 'u1' },
      message: {
        text: 'Bạn muốn làm gì tiếp theo?',
        attachment: {
          type: 'template',
          payload: {
            buttons: [
              { title: 'Hỏi câu khác', type: 'oa.query.show', payload: 'Hỏi câu khác' },
              { title: 'Gặp tư vấn viên', type: 'oa.query.show', payload: 'Gặp tư vấn viên' },
            ],
          },
        },
      },
    });
  });

  it('lists choices with numbers where buttons are off or too many, and reads a number back', () => {
    const three = withChoices('Bạn chọn giúp mình:', ['Trợ cấp người cao tuổi', 'Trợ cấp người khuyết tật', 'Gặp tư vấn viên']);
    const numbered = { ...ZALO_MESSAGE_DEFAULTS, buttons: 'numbered' as const };
    const [body] = zaloRequests({ user_id: 'u1' }, three, numbered);
    expect(body).toEqual({
      recipient: { user_id: 'u1' },
      message: { text: 'Bạn chọn giúp mình:\n\n1. Trợ cấp người cao tuổi\n2. Trợ cấp người khuyết tật\n3. Gặp tư vấn viên\nTrả lời 1, 2 hoặc 3.' },
    });
    expect(choiceForNumber('2', three, numbered)).toBe('Trợ cấp người khuyết tật');
    expect(choiceForNumber(' số 3 ', three, numbered)).toBe('Gặp tư vấn viên');
    expect(choiceForNumber('3.', three, numbered)).toBe('Gặp tư vấn viên');
    expect(choiceForNumber('4', three, numbered)).toBeNull();
    expect(choiceForNumber('2 con', three, numbered)).toBeNull();
    // Shown as buttons, a typed number means what it says.
    expect(choiceForNumber('2', three, ZALO_MESSAGE_DEFAULTS)).toBeNull();
    const five = withChoices('Chọn:', ['a', 'b', 'c', 'd', 'e']);
    expect(menuOf(five, ZALO_MESSAGE_DEFAULTS).kind).toBe('numbered');
    expect(numberedMenu(['a', 'b'])).toBe('1. a\n2. b\nTrả lời 1 hoặc 2.');
  });

  it('splits a text longer than 2000 characters, with the buttons on the last part', () => {
    const long = Array.from({ length: 300 }, (_, i) => `câu ${i} về trợ cấp.`).join(' ');
    const bodies = zaloRequests({ user_id: 'u1' }, withChoices(long, ['Hỏi câu khác']), ZALO_MESSAGE_DEFAULTS);
    expect(bodies.length).toBeGreaterThan(1);
    for (const b of bodies) expect(String((b.message as { text: string }).text).length).toBeLessThanOrEqual(2000);
    expect(bodies.slice(0, -1).every((b) => !('attachment' in (b.message as object)))).toBe(true);
    expect((bodies.at(-1)!.message as { attachment?: unknown }).attachment).toBeDefined();
    expect(bodies.map((b) => (b.message as { text: string }).text).join(' ').replace(/\s+/g, ' ')).toBe(long);
  });

  it('reads media, button payloads, follows and echoes from the reference shapes', () => {
    const p = { appId: APP_ID, oaId: OA_ID, userId: '8000000000000000001' };
    const image = readZaloEvent(userEvent(p, 'user_send_image', { msg_id: 'm1', attachments: [{ type: 'image', payload: { thumbnail: 'https://z/t.jpg', url: 'https://z/i.jpg' } }] }));
    expect(image).toMatchObject({ kind: 'activity', activity: { id: 'msg:m1', text: '', attachments: [{ contentType: 'image/*', contentUrl: 'https://z/i.jpg' }] } });
    const place = readZaloEvent(userEvent(p, 'user_send_location', { msg_id: 'm2', attachments: [{ type: 'location', payload: { coordinates: { latitude: '10.77', longitude: '106.70' } } }] }));
    expect(place).toMatchObject({ kind: 'activity', activity: { attachments: [{ contentType: 'application/vnd.ctxh.location', content: { latitude: 10.77, longitude: 106.7 } }] } });
    const tap = readZaloEvent(textEvent(p, 'm3', '#btn:Gặp tư vấn viên'));
    expect(tap).toMatchObject({ kind: 'activity', activity: { text: 'Gặp tư vấn viên', from: { id: p.userId }, conversation: { id: p.userId } } });
    expect(readZaloEvent({ app_id: APP_ID, event_name: 'follow', timestamp: '1', oa_id: OA_ID, follower: { id: p.userId } })).toEqual({ kind: 'follow', userId: p.userId, oaId: OA_ID });
    expect(readZaloEvent({ app_id: APP_ID, event_name: 'oa_send_text', timestamp: '1', sender: { id: OA_ID }, recipient: { id: p.userId }, message: { msg_id: 'm4', text: 'x' } })).toMatchObject({ kind: 'echo', msgId: 'm4' });
    expect(readZaloEvent({ app_id: APP_ID, event_name: 'user_send_text', timestamp: '1', sender: { id: 5 } })).toEqual({ kind: 'malformed', eventName: 'user_send_text' });
  });
});

describe('Zalo channel', () => {
  it('answers a signed text once, even when Zalo delivers it twice, with the current access token', async () => {
    const { fake, seed, post, party, conversationOf, assistant } = await setup();
    const user = '8100000000000000001';
    const event = textEvent(party(user), msgId(), 'tro cap nguoi khuyet tat bao nhieu');
    const started = Date.now();
    const res = await post(event);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    await waitFor(() => fake.sendsTo(user).length === 1, 'the reply');
    expect((await post(event)).status).toBe(200);
    await assistant.runner.idle();
    await assistant.outbox.drainDue();
    expect(fake.sendsTo(user)).toHaveLength(1);

    const [send] = fake.sendsTo(user);
    // The pair refreshed at start, not the seeded one.
    expect(send!.headers.access_token).not.toBe(seed.accessToken);
    expect(fake.isLiveAccess(send!.headers.access_token!)).toBe(true);
    expect(send!.body.recipient).toEqual({ user_id: user });
    expect(send!.body.message.text).toMatch(/khuyết tật/);
    expect(send!.body.message.text).toMatch(/Nguồn: /);
    const buttons = send!.body.message.attachment.payload.buttons as Array<{ title: string; type: string; payload: string }>;
    expect(buttons).toContainEqual({ title: 'Gặp tư vấn viên', type: 'oa.query.show', payload: 'Gặp tư vấn viên' });

    const conversation = await conversationOf(user);
    const messages = await assistant.store.messages.listByConversation(conversation!.id);
    expect(messages.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(messages.filter((m) => m.direction === 'out').map((m) => [m.delivery?.status, m.platformMessageId])).toEqual([['sent', expect.stringMatching(/^zm\d+$/)]]);
    expect(messages[0]!.platformMessageId).toBe(`msg:${(event.message as { msg_id: string }).msg_id}`);
  });

  it('answers a message stored just before a kill, before its time was noted on the conversation', async () => {
    const { fake, post, party, conversationOf, assistant } = await setup();
    const { store } = assistant;
    // A citizen answered normally gives a stored activity of the real shape.
    const first = '8100000000000000031';
    await post(textEvent(party(first), msgId(), 'tro cap nguoi khuyet tat bao nhieu'));
    await waitFor(() => fake.sendsTo(first).length === 1, 'the first reply');
    const [stored] = (await store.messages.listByConversation((await conversationOf(first))!.id)).filter((m) => m.direction === 'in');
    // Another citizen's message, stored as accept() stores it, then the process died: no touchInbound.
    const user = '8100000000000000032';
    const at = new Date();
    const activity = { ...stored!.activity, id: `msg:${msgId()}`, from: { id: user }, conversation: { id: user } };
    const conversation = await store.conversations.upsert({ channel: 'zalo', userId: user, chatId: user }, {}, at);
    expect(conversation.lastInboundAt).toBeNull();
    await store.messages.recordInbound({ conversationId: conversation.id, channel: 'zalo', direction: 'in', platformMessageId: String(activity.id), text: stored!.text, activity, createdAt: at });

    expect(await assistant.runner.recover()).toBe(1);
    await assistant.runner.idle();
    await assistant.outbox.drainDue();
    expect(fake.sendsTo(user)).toHaveLength(1);
    expect((await conversationOf(user))!.lastInboundAt?.getTime()).toBe(at.getTime());
  });

  it('verifies Vietnamese text sent as \\u escapes over the raw bytes', async () => {
    const { fake, post, party, conversationOf, assistant } = await setup();
    const user = '8100000000000000002';
    const event = textEvent(party(user), msgId(), 'Cho tôi hỏi về trợ cấp người khuyết tật');
    const raw = escapedJson(event);
    expect(raw).toContain('\\u1ecf');
    expect((await post(raw)).status).toBe(200);
    await waitFor(() => fake.sendsTo(user).length === 1, 'the reply');
    const conversation = await conversationOf(user);
    const [inbound] = await assistant.store.messages.listByConversation(conversation!.id);
    expect(inbound!.text).toBe('Cho tôi hỏi về trợ cấp người khuyết tật');
  });

  it('stores nothing for a wrong or missing signature, a stale event, another app or another OA, and answers 200', async () => {
    const { fake, post, party, conversationOf, assistant } = await setup();
    const user = '8100000000000000003';
    const fresh = () => textEvent(party(user), msgId(), 'xin chao');
    expect((await post(fresh(), { key: 'not-the-key' })).status).toBe(200);
    expect((await post(fresh(), { signature: null })).status).toBe(200);
    expect((await post(fresh(), { signature: 'mac=zzz' })).status).toBe(200);
    // Signed over other bytes (re-serialised JSON) than were sent.
    const event = fresh();
    const resigned = zaloSignature(APP_ID, JSON.stringify(event), String(event.timestamp), OA_SECRET);
    expect((await post(escapedJson(event).replace('xin chao', 'xin chào'), { signature: resigned })).status).toBe(200);
    // Eleven minutes old: a replay.
    expect((await post(textEvent(party(user), msgId(), 'xin chao', String(Date.now() - 11 * 60_000)))).status).toBe(200);
    expect((await post({ ...fresh(), app_id: '999' })).status).toBe(200);
    expect((await post({ ...fresh(), recipient: { id: '5790199999999999999' } })).status).toBe(200);
    // Zalo's registration check: an empty body, unsigned.
    expect((await post('{}', { signature: null })).status).toBe(200);
    // Every webhook stores (or refuses) before it answers: once the turns and sends started so far are done, nothing more can come.
    await assistant.runner.idle();
    await assistant.outbox.idle();
    expect(await conversationOf(user)).toBeNull();
    expect(fake.sendsTo(user)).toHaveLength(0);
    expect(await assistant.store.messages.listUnhandledInbound()).toEqual([]);
  });

  it('accepts a signature made with the app secret as well as with the OA secret key', async () => {
    const { fake, post, party } = await setup();
    const user = '8100000000000000004';
    expect((await post(textEvent(party(user), msgId(), 'muc chuan tro giup xa hoi la bao nhieu'), { key: APP_SECRET })).status).toBe(200);
    const send = await waitFor(() => fake.sendsTo(user)[0], 'the reply');
    expect(send.body.message.text).toMatch(/500\.000 đồng/);
  });

  it('records follow and unfollow, and never answers echoes of the OA’s own messages', async () => {
    const { fake, post, party, conversationOf, assistant } = await setup();
    const user = '8100000000000000005';
    const ts = () => String(Date.now());
    expect((await post({ app_id: APP_ID, oa_id: OA_ID, user_id_by_app: 'x', event_name: 'follow', timestamp: ts(), source: 'oa_profile', follower: { id: user } })).status).toBe(200);
    for (const eventName of ['oa_send_text', 'oa_send_image', 'oa_send_list']) {
      const echo = { app_id: APP_ID, event_name: eventName, timestamp: ts(), sender: { id: OA_ID }, recipient: { id: user }, message: { msg_id: msgId(), text: 'Xin chào' } };
      expect((await post(echo)).status).toBe(200);
    }
    expect((await post({ app_id: APP_ID, oa_id: OA_ID, event_name: 'unfollow', timestamp: ts(), follower: { id: user } })).status).toBe(200);
    // Read receipts and other events: nothing to do.
    expect((await post({ app_id: APP_ID, event_name: 'user_seen_message', timestamp: ts(), sender: { id: user }, recipient: { id: OA_ID }, message: { msg_ids: ['x'] } })).status).toBe(200);
    // Every webhook stores (or refuses) before it answers: once the turns and sends started so far are done, nothing more can come.
    await assistant.runner.idle();
    await assistant.outbox.idle();
    expect(await conversationOf(user)).toBeNull();
    expect(fake.sendsTo(user)).toHaveLength(0);
    expect((await assistant.store.audit.list({ action: 'zalo.follow' })).length).toBe(1);
    expect((await assistant.store.audit.list({ action: 'zalo.unfollow' })).length).toBe(1);
  });

  it('answers a photo, sticker, voice note, location and file kindly and keeps each reference', async () => {
    const { fake, post, party, conversationOf, assistant } = await setup();
    const picture = /chưa xem được ảnh/;
    const media: Array<[string, Record<string, unknown>, Record<string, unknown>, RegExp]> = [
      ['user_send_image', { type: 'image', payload: { thumbnail: 'https://zalo.example/t.jpg', url: 'https://zalo.example/anh.jpg' } }, { contentType: 'image/*', contentUrl: 'https://zalo.example/anh.jpg' }, picture],
      ['user_send_sticker', { type: 'sticker', payload: { id: 'st-42', url: 'https://zalo.example/st.png' } }, { contentType: 'image/*', contentUrl: 'https://zalo.example/st.png', name: 'sticker', content: { zaloType: 'sticker', id: 'st-42' } }, picture],
      ['user_send_audio', { type: 'audio', payload: { url: 'https://zalo.example/voice.aac' } }, { contentType: 'audio/*', contentUrl: 'https://zalo.example/voice.aac' }, /chưa nghe được tin nhắn thoại/],
      ['user_send_location', { type: 'location', payload: { coordinates: { latitude: '21.0278', longitude: '105.8342' } } }, { contentType: 'application/vnd.ctxh.location', content: { zaloType: 'location', latitude: 21.0278, longitude: 105.8342 } }, /chỉ đọc được tin nhắn chữ/],
      ['user_send_file', { type: 'file', payload: { url: 'https://zalo.example/don.pdf', name: 'don.pdf', size: '2048' } }, { contentType: 'application/octet-stream', contentUrl: 'https://zalo.example/don.pdf', name: 'don.pdf' }, /chỉ đọc được tin nhắn chữ/],
    ];
    for (const [i, [eventName, attachment, stored, answer]] of media.entries()) {
      const user = `81000000000000001${i}`;
      expect((await post(userEvent(party(user), eventName, { msg_id: msgId(), attachments: [attachment] }))).status).toBe(200);
      const reply = await waitFor(() => fake.sendsTo(user)[0], `reply to ${eventName}`);
      expect(reply.body.message.text).toMatch(answer);
      expect(reply.body.message.attachment.payload.buttons).toContainEqual({ title: 'Gặp tư vấn viên', type: 'oa.query.show', payload: 'Gặp tư vấn viên' });
      const conversation = await conversationOf(user);
      const [inbound] = await assistant.store.messages.listByConversation(conversation!.id);
      expect(inbound!.text).toBe('');
      expect((inbound!.activity as Partial<Activity>).attachments).toEqual([expect.objectContaining(stored)]);
    }
  });

  it('reads a button tap (the payload text) and a number typed after a numbered menu as the choice', async () => {
    const { fake, post, party, conversationOf, assistant } = await setup();
    const user = '8100000000000000020';
    expect((await post(textEvent(party(user), msgId(), 'muc chuan tro giup xa hoi la bao nhieu'))).status).toBe(200);
    await waitFor(() => fake.sendsTo(user).length === 1, 'the answer');
    const conversation = (await conversationOf(user))!;
    // Five choices: more than Zalo's buttons, so a numbered menu.
    const choices = ['Trợ cấp người cao tuổi', 'Trợ cấp người khuyết tật', 'Điền phiếu tiếp nhận', 'Hỏi câu khác', 'Gặp tư vấn viên'];
    await assistant.runner.sendProactive(conversation, { type: 'message', text: 'Bạn muốn hỏi gì?', suggestedActions: { to: [], actions: choices.map((c) => ({ type: 'imBack', title: c, value: c })) } });
    const menu = await waitFor(() => fake.sendsTo(user)[1], 'the menu');
    expect(menu.body.message.text).toBe(`Bạn muốn hỏi gì?\n\n${choices.map((c, i) => `${i + 1}. ${c}`).join('\n')}\nTrả lời 1, 2, 3, 4 hoặc 5.`);
    expect(menu.body.message.attachment).toBeUndefined();
    expect((await post(textEvent(party(user), msgId(), '2'))).status).toBe(200);
    await waitFor(() => fake.sendsTo(user).length === 3, 'the answer to "2"');
    expect(fake.sendsTo(user)[2]!.body.message.text).toMatch(/khuyết tật/);
    // A tap on a button sends its payload, the choice's text; our #btn: prefix is read too.
    expect((await post(textEvent(party(user), msgId(), '#btn:Hỏi câu khác'))).status).toBe(200);
    await waitFor(() => fake.sendsTo(user).length === 4, 'the answer to the tap');
    const inbound = (await assistant.store.messages.listByConversation(conversation.id)).filter((m) => m.direction === 'in').map((m) => m.text);
    expect(inbound).toEqual(['muc chuan tro giup xa hoi la bao nhieu', 'Trợ cấp người khuyết tật', 'Hỏi câu khác']);
  });

  it('delivers a rate-limited reply once, after the wait, and before the reply that follows it', async () => {
    const { fake, post, party, conversationOf, assistant } = await setup();
    const user = '8100000000000000030';
    fake.failSends(-32);
    expect((await post(textEvent(party(user), msgId(), 'tro cap nguoi khuyet tat bao nhieu'))).status).toBe(200);
    expect((await post(textEvent(party(user), msgId(), 'muc chuan tro giup xa hoi la bao nhieu'))).status).toBe(200);
    await waitFor(() => fake.sendsTo(user).length === 2, 'both replies', 15_000);
    // The fake records a send before it answers: let the outbox finish with the answer.
    await assistant.outbox.drainDue();
    const [first, second] = fake.sendsTo(user);
    expect(first!.body.message.text).toMatch(/khuyết tật/);
    expect(second!.body.message.text).toMatch(/500\.000 đồng/);
    expect(fake.calls.filter((c) => c.error === -32)).toHaveLength(1);
    const conversation = await conversationOf(user);
    const out = (await assistant.store.messages.listByConversation(conversation!.id)).filter((m) => m.direction === 'out');
    expect(out.map((m) => m.delivery?.status)).toEqual(['sent', 'sent']);
    expect(out[0]!.delivery).toMatchObject({ attempts: 2, error: 'rate-limited' });
  });

  it('records a closed window (-230) once and never retries it', async () => {
    const { fake, post, party, conversationOf, assistant } = await setup();
    const user = '8100000000000000040';
    fake.closeWindow(user);
    expect((await post(textEvent(party(user), msgId(), 'tro cap nguoi gia bao nhieu'))).status).toBe(200);
    const conversation = await waitFor(() => conversationOf(user), 'conversation');
    await waitFor(async () => (await assistant.store.conversations.get(conversation.id))?.undeliverable, 'marked undeliverable');
    expect((await assistant.store.conversations.get(conversation.id))?.undeliverable?.reason).toBe('window-closed');
    for (let i = 0; i < 3; i++) await assistant.outbox.drainDue();
    expect(fake.calls.filter((c) => String(c.body.recipient?.user_id) === user)).toHaveLength(1);
    const [reply] = (await assistant.store.messages.listByConversation(conversation.id)).filter((m) => m.direction === 'out');
    expect(reply!.delivery).toMatchObject({ status: 'failed', error: 'window-closed', attempts: 1 });
    expect(await assistant.store.audit.list({ subject: conversation.id, action: 'outbox.failed' })).toHaveLength(1);
  });

  it('refreshes once when Zalo refuses the access token (-216) and sends with the new one', async () => {
    const { fake, post, party } = await setup();
    const user = '8100000000000000050';
    const before = fake.refreshCalls().length;
    expect(before).toBe(1);
    expect((await post(textEvent(party(user), msgId(), 'muc chuan tro giup xa hoi la bao nhieu'))).status).toBe(200);
    await waitFor(() => fake.sendsTo(user).length === 1, 'first reply');
    // The stored access token stops working early (revoked, or replaced elsewhere).
    const firstToken = fake.sendsTo(user)[0]!.headers.access_token!;
    fake.expireAccess(firstToken);
    expect((await post(textEvent(party(user), msgId(), 'tro cap nguoi khuyet tat bao nhieu'))).status).toBe(200);
    await waitFor(() => fake.sendsTo(user).length === 2, 'second reply');
    expect(fake.refreshCalls().length).toBe(before + 1);
    expect(fake.calls.filter((c) => c.error === -216).map((c) => c.headers.access_token)).toEqual([firstToken]);
    expect(fake.sendsTo(user)[1]!.headers.access_token).not.toBe(firstToken);
    expect(fake.reused()).toEqual([]);
  });

  it('keeps tokens encrypted at rest and out of the logs, with user ids and texts', async () => {
    const { log, lines } = capturedLog();
    const { fake, seed, post, party, dataDir, assistant } = await setup({}, { log });
    const user = '8100000000000000060';
    const text = 'toi bi mat giay to tuy than';
    expect((await post(textEvent(party(user), msgId(), text))).status).toBe(200);
    await waitFor(() => fake.sendsTo(user).length === 1, 'the reply');
    // A drop and a refused token are logged too.
    expect((await post(textEvent(party(user), msgId(), text), { key: 'wrong' })).status).toBe(200);
    fake.expireAccess(fake.sendsTo(user)[0]!.headers.access_token!);
    expect((await post(textEvent(party(user), msgId(), 'muc chuan tro giup xa hoi'))).status).toBe(200);
    await waitFor(() => fake.sendsTo(user).length === 2, 'the second reply');
    await assistant.outbox.idle();
    const tokens = [seed.accessToken, seed.refreshToken, ...fake.sends().map((s) => s.headers.access_token!)];
    const row = (await assistant.store.channelTokens.get(KEY))!;
    const file = readdirSync(dataDir)
      .filter((f) => f.startsWith('ctxh.sqlite'))
      .map((f) => readFileSync(join(dataDir, f)).toString('latin1'))
      .join('\n');
    const all = lines.join('\n');
    for (const t of tokens) {
      expect(JSON.stringify(row)).not.toContain(t);
      expect(file).not.toContain(t);
      expect(all).not.toContain(t);
    }
    expect(row.accessToken).toMatch(/^v1\./);
    expect(all).not.toContain(user);
    expect(all).not.toContain(text);
    expect(all).toContain('zalo webhook dropped');
  });
});

describe('Zalo tokens and sends at expiry', () => {
  const t0 = () => new Date();

  /** A store with the fake's pair in it, as a previous refresh left it (version 1, expiry known). */
  async function tokenStoreSetup(fake: FakeZalo, expiresInMs: number, dataDir = mkdtempSync(join(tmpdir(), 'ctxh-zalo-tokens-'))) {
    const store = openSqliteStore(dataDir);
    cleanups.push(() => store.close());
    const pair = fake.issuePair();
    const cipher = new TokenCipher(TOKEN_KEY);
    await store.channelTokens.seed(KEY, sealPair(cipher, KEY, { ...pair, accessExpiresAt: new Date(Date.now() + expiresInMs), issuedAt: new Date(Date.now() - 3600_000) }), t0());
    return { store, pair, cipher, dataDir };
  }

  function instance(fake: FakeZalo, store: Store, holder: string, log = silent, now = () => new Date()) {
    const client = new ZaloClient({ openApiBase: fake.url, oauthBase: fake.url, appId: APP_ID, appSecret: APP_SECRET });
    const tokens = new ZaloTokenStore({ store, client, cipher: new TokenCipher(TOKEN_KEY), appId: APP_ID, holder, now, log });
    const sender = new ZaloSender({ client, tokens, now, log });
    return { tokens, sender, client };
  }

  async function conversations(store: Store, n: number, prefix: string): Promise<Conversation[]> {
    const out: Conversation[] = [];
    for (let i = 0; i < n; i++) {
      const userId = `${prefix}${String(i).padStart(4, '0')}`;
      const c = await store.conversations.upsert({ channel: 'zalo', userId, chatId: userId }, {}, t0());
      await store.conversations.touchInbound(c.id, t0());
      out.push((await store.conversations.get(c.id))!);
    }
    return out;
  }

  const text = (t: string): Partial<Activity> => ({ type: 'message', text: t });

  it('refreshes once for 20 concurrent sends whose token ran out, and sends all 20 with the new one', async () => {
    const fake = await fakeZalo();
    const { store, pair } = await tokenStoreSetup(fake, -1000);
    const { sender } = instance(fake, store, 'a');
    const people = await conversations(store, 20, '82000000000');
    const results = await Promise.all(people.map((c, i) => sender.send(c, text(`tin ${i}`))));
    expect(results.every((r) => /^zm\d+$/.test(r.platformMessageId ?? ''))).toBe(true);
    expect(fake.refreshCalls()).toHaveLength(1);
    expect(fake.presented).toEqual([pair.refreshToken]);
    const used = new Set(fake.sends().map((s) => s.headers.access_token));
    expect(used.size).toBe(1);
    expect(used.has(pair.accessToken)).toBe(false);
    expect((await store.channelTokens.get(KEY))?.version).toBe(2);
  });

  it('refreshes once when Zalo refuses the token of 20 concurrent sends (-216), on two instances sharing the store', async () => {
    const fake = await fakeZalo();
    // The store believes the token is good for hours; Zalo has already let it expire.
    const { store, pair, dataDir } = await tokenStoreSetup(fake, 10 * 3600_000);
    fake.expireAccess(pair.accessToken);
    const other = openSqliteStore(dataDir);
    cleanups.push(() => other.close());
    const a = instance(fake, store, 'instance-a');
    const b = instance(fake, other, 'instance-b');
    const people = await conversations(store, 20, '82100000000');
    const results = await Promise.all(people.map((c, i) => (i % 2 ? b : a).sender.send(c, text(`tin ${i}`))));
    expect(results).toHaveLength(20);
    expect(fake.refreshCalls()).toHaveLength(1);
    expect(fake.reused()).toEqual([]);
    expect(fake.sends()).toHaveLength(20);
    expect(fake.calls.filter((c) => c.error === -216).every((c) => c.headers.access_token === pair.accessToken)).toBe(true);
    // And later, a refresh spends the new refresh token, never the first one.
    await a.tokens.rejected(fake.sends()[0]!.headers.access_token!);
    expect(fake.presented).toHaveLength(2);
    expect(fake.reused()).toEqual([]);
  });

  it('marks "needs reconnect" once when the refresh token is refused, never sends it again, and takes a new one from configuration', async () => {
    const fake = await fakeZalo();
    const { store, pair, dataDir } = await tokenStoreSetup(fake, -1000);
    fake.revokeRefresh(pair.refreshToken);
    const { log, lines } = capturedLog();
    const { sender } = instance(fake, store, 'a', log);
    const people = await conversations(store, 5, '82200000000');
    for (const c of people) {
      const err = await sender.send(c, text('x')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeliveryError);
      expect(err).toMatchObject({ kind: 'retry', code: 'needs-reconnect' });
    }
    expect(fake.presented).toEqual([pair.refreshToken]);
    expect((await store.channelTokens.get(KEY))?.status).toBe('needs-reconnect');
    expect(await store.audit.list({ action: 'zalo.token.needs-reconnect' })).toHaveLength(1);
    expect(lines.filter((l) => l.includes('must grant access again'))).toHaveLength(1);
    expect(lines.join('\n')).not.toContain(pair.refreshToken);

    // A restart with the same (spent) token configured does not try it again.
    const client = new ZaloClient({ openApiBase: fake.url, oauthBase: fake.url, appId: APP_ID, appSecret: APP_SECRET });
    const again = new ZaloTokenStore({ store, client, cipher: new TokenCipher(TOKEN_KEY), appId: APP_ID, holder: 'b', now: t0, log: silent, seed: { refreshToken: pair.refreshToken } });
    await again.init();
    expect(await again.refreshIfDue()).toBe(false);
    expect(fake.presented).toEqual([pair.refreshToken]);

    // The OA admin consented again: the new refresh token is configured and used.
    const consent = fake.issuePair();
    const restarted = openSqliteStore(dataDir);
    cleanups.push(() => restarted.close());
    const reconnected = new ZaloTokenStore({ store: restarted, client, cipher: new TokenCipher(TOKEN_KEY), appId: APP_ID, holder: 'c', now: t0, log: silent, seed: consent });
    await reconnected.init();
    expect((await store.channelTokens.get(KEY))?.status).toBe('ok');
    expect(await reconnected.refreshIfDue()).toBe(true);
    expect(fake.presented).toEqual([pair.refreshToken, consent.refreshToken]);
    expect(await store.audit.list({ action: 'zalo.token.reconnected' })).toHaveLength(1);
  });

  it('reads the store again after a refused refresh: another instance’s rotation is used, not marked', async () => {
    const fake = await fakeZalo();
    const { store, pair, cipher } = await tokenStoreSetup(fake, -1000);
    // While our refresh is on its way, another instance spends the same refresh token and stores its pair.
    const theirs = fake.issuePair();
    fake.beforeRefreshAnswer(async (presented) => {
      if (presented !== pair.refreshToken) return;
      fake.beforeRefreshAnswer(undefined);
      fake.revokeRefresh(pair.refreshToken);
      await store.channelTokens.rotate(KEY, cipher.fingerprint(pair.refreshToken), sealPair(cipher, KEY, { ...theirs, accessExpiresAt: new Date(Date.now() + 3600_000 * 20), issuedAt: new Date() }), new Date());
    });
    const { tokens } = instance(fake, store, 'a');
    expect(await tokens.accessToken()).toBe(theirs.accessToken);
    const row = await store.channelTokens.get(KEY);
    expect(row?.status).toBe('ok');
    expect(row?.refreshFingerprint).toBe(cipher.fingerprint(theirs.refreshToken));
    expect(await store.audit.list({ action: 'zalo.token.needs-reconnect' })).toHaveLength(0);
  });

  it('completes a rotation left pending by a stop, without calling Zalo', async () => {
    const fake = await fakeZalo();
    const { store, pair, cipher } = await tokenStoreSetup(fake, 3600_000);
    // Zalo answered a refresh; the process stopped after writing the answer, before the rotation.
    const client = new ZaloClient({ openApiBase: fake.url, oauthBase: fake.url, appId: APP_ID, appSecret: APP_SECRET });
    const answer = await client.refresh(pair.refreshToken);
    expect(answer.kind).toBe('tokens');
    if (answer.kind !== 'tokens') return;
    await store.channelTokens.savePending(KEY, { answer: cipher.encrypt(answer.raw, `${KEY}:pending`), forFingerprint: cipher.fingerprint(pair.refreshToken), at: new Date() });
    const calls = fake.refreshCalls().length;
    const { tokens, sender } = instance(fake, store, 'restarted');
    await tokens.init();
    const row = await store.channelTokens.get(KEY);
    expect(row).toMatchObject({ version: 2, pending: null, refreshFingerprint: cipher.fingerprint(answer.tokens.refreshToken) });
    expect(fake.refreshCalls().length).toBe(calls);
    const [c] = await conversations(store, 1, '82300000000');
    await sender.send(c!, text('xin chào'));
    expect(fake.sends().at(-1)!.headers.access_token).toBe(answer.tokens.accessToken);
    expect(fake.reused()).toEqual([]);
  });

  it('keeps a refresh answer whose write failed in memory, and writes it later instead of refreshing again', async () => {
    const fake = await fakeZalo();
    const { store, pair, cipher } = await tokenStoreSetup(fake, -1000);
    let failWrites = 1;
    const flaky: Store = {
      ...store,
      channelTokens: {
        ...store.channelTokens,
        async savePending(key, pending) {
          if (failWrites-- > 0) throw new Error('disk I/O error');
          return store.channelTokens.savePending(key, pending);
        },
      },
    };
    const { tokens } = instance(fake, flaky, 'a');
    await expect(tokens.accessToken()).rejects.toThrow('disk I/O error');
    expect(fake.presented).toEqual([pair.refreshToken]);
    const fresh = await tokens.accessToken();
    expect(fake.presented).toEqual([pair.refreshToken]);
    expect(fake.isLiveAccess(fresh)).toBe(true);
    expect((await store.channelTokens.get(KEY))?.refreshFingerprint).not.toBe(cipher.fingerprint(pair.refreshToken));
  });

  it('addresses a reply to the citizen’s message when configured to', async () => {
    const fake = await fakeZalo();
    const { store } = await tokenStoreSetup(fake, 10 * 3600_000);
    const [c] = await conversations(store, 1, '82500000000');
    const client = new ZaloClient({ openApiBase: fake.url, oauthBase: fake.url, appId: APP_ID, appSecret: APP_SECRET });
    const tokens = new ZaloTokenStore({ store, client, cipher: new TokenCipher(TOKEN_KEY), appId: APP_ID, holder: 'a', now: t0, log: silent });
    const reply = { type: 'message', text: 'Chào bạn', replyToId: 'msg:9f8e7d' } as Partial<Activity>;
    await new ZaloSender({ client, tokens, now: t0, log: silent }).send(c!, reply);
    await new ZaloSender({ client, tokens, now: t0, log: silent, options: { replyByMessageId: true } }).send(c!, reply);
    expect(fake.sends().map((s) => s.body.recipient)).toEqual([{ user_id: c!.userId }, { message_id: '9f8e7d' }]);
  });

  it('refreshes proactively when less than 2 hours are left, not before', async () => {
    const fake = await fakeZalo();
    const { store } = await tokenStoreSetup(fake, 3 * 3600_000);
    let clock = Date.now();
    const { tokens } = instance(fake, store, 'a', silent, () => new Date(clock));
    expect(await tokens.refreshIfDue()).toBe(false);
    clock += 50 * 60_000;
    expect(await tokens.refreshIfDue()).toBe(false);
    clock += 15 * 60_000;
    expect(await tokens.refreshIfDue()).toBe(true);
    expect(fake.refreshCalls()).toHaveLength(1);
    // The new token lasts 25 h (expires_in "90000", a string): nothing due for a while.
    expect(await tokens.refreshIfDue()).toBe(false);
    const row = await store.channelTokens.get(KEY);
    expect(row!.accessExpiresAt!.getTime() - clock).toBe(90_000_000);
  });

  it('keeps to the consultation window: closed past 7 days without a call; paid tier as configured', async () => {
    const fake = await fakeZalo();
    const { store } = await tokenStoreSetup(fake, 10 * 3600_000);
    const [c] = await conversations(store, 1, '82400000000');
    const days = (d: number) => new Date(Date.now() + d * 24 * 3600_000);
    const client = new ZaloClient({ openApiBase: fake.url, oauthBase: fake.url, appId: APP_ID, appSecret: APP_SECRET });
    const tokens = new ZaloTokenStore({ store, client, cipher: new TokenCipher(TOKEN_KEY), appId: APP_ID, holder: 'a', now: t0, log: silent });
    const at = (d: number, options = {}) => new ZaloSender({ client, tokens, now: () => days(d), log: silent, options });
    await expect(at(7.1).send(c!, text('muộn'))).rejects.toMatchObject({ kind: 'permanent', code: 'window-closed' });
    await expect(at(1, {}).send({ ...c!, lastInboundAt: null }, text('x'))).rejects.toMatchObject({ code: 'window-closed' });
    expect(fake.sends()).toHaveLength(0);
    await expect(at(3, { beyondFreeWindow: 'refuse' }).send(c!, text('x'))).rejects.toMatchObject({ kind: 'permanent', code: 'window-paid' });
    await at(3).send(c!, text('trong 7 ngày'));
    expect(fake.sends()).toHaveLength(1);
    fake.failSends(-320, -213, -244, -211, -209, -999);
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push(await at(0).send(c!, text('x')).catch((e: DeliveryError) => `${e.kind}:${e.code}`));
    expect(codes).toEqual(['permanent:paid-unfunded', 'permanent:not-follower', 'permanent:blocked', 'permanent:quota-exhausted', 'retry:config-209', 'retry:zalo-999']);
    // -220, the other token code reported: one refresh, and the message goes.
    const refreshes = fake.refreshCalls().length;
    fake.failSends(-220);
    await at(0).send(c!, text('sau khi làm mới'));
    expect(fake.refreshCalls().length).toBe(refreshes + 1);
    expect(fake.sends().at(-1)!.body.message.text).toBe('sau khi làm mới');
  });
});
