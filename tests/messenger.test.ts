/**
 * Facebook Messenger end to end: a real assistant on a temporary SQLite file, Meta's
 * webhook bodies shaped and serialised as Meta sends them (non-ASCII as \uXXXX) and signed
 * with the reference's test app secret, and a local fake of the Graph API that checks the
 * Page token and records every request (tests/support/fake-messenger.ts).
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { messengerSignature, verifySignature } from '../src/bots/messenger/adapter.js';
import { MessengerSender, messagingWindow, quickReplies } from '../src/bots/messenger/sender.js';
import type { Conversation } from '../src/store/types.js';
import { startAssistant } from './support/assistant.js';
import { capturedLog } from './support/captured-log.js';
import {
  TEST_APP_SECRET,
  TEST_PAGE_TOKEN,
  TEST_VERIFY_TOKEN,
  attachmentItem,
  deliveryItem,
  echoItem,
  entry,
  messengerEnv,
  metaJson,
  pageEvent,
  postWebhook,
  postbackItem,
  quickReplyItem,
  reactionItem,
  readItem,
  sign,
  startFakeMessenger,
  textItem,
  type FakeMessenger,
} from './support/fake-messenger.js';
import { waitFor } from './support/http.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const HOUR = 3_600_000;

/** A clock the test moves: the assistant, its outbox and the sender's window all read it. */
function movableClock() {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms: number) => (offset += ms) };
}

async function setup(extra: Record<string, string> = {}, options: Parameters<typeof startAssistant>[1] = {}) {
  const fake = await startFakeMessenger({ appSecret: TEST_APP_SECRET });
  cleanups.push(fake.close);
  const running = await startAssistant(messengerEnv(fake, extra), options);
  cleanups.push(running.close);
  const { store } = running.assistant;
  const conversationOf = (psid: string) => store.conversations.findByAddress({ channel: 'messenger', userId: psid, chatId: psid });
  const messagesOf = async (psid: string) => {
    const c = await conversationOf(psid);
    return c ? store.messages.listByConversation(c.id) : [];
  };
  return { fake, conversationOf, messagesOf, ...running };
}

const textOf = (call: { body: Record<string, any> }) => String(call.body.message?.text ?? '');
const titles = (call: { body: Record<string, any> }) => ((call.body.message?.quick_replies ?? []) as Array<{ title: string }>).map((q) => q.title);

describe('Messenger webhook', () => {
  it('answers the GET verification handshake with our verify token only', async () => {
    const { url } = await setup();
    const handshake = (q: string) => fetch(`${url}/messenger/webhook?${q}`);
    const ok = await handshake(`hub.mode=subscribe&hub.verify_token=${TEST_VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    expect((await handshake('hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1')).status).toBe(403);
    expect((await handshake(`hub.mode=unsubscribe&hub.verify_token=${TEST_VERIFY_TOKEN}&hub.challenge=1`)).status).toBe(403);
    expect((await handshake(`hub.verify_token=${TEST_VERIFY_TOKEN}&hub.challenge=1`)).status).toBe(403);
  });

  it("checks X-Hub-Signature-256 as the reference's test vector, and stores nothing from a wrongly signed or unsigned request", async () => {
    const vectorBody = '{"object":"page","entry":[]}';
    const vector = 'sha256=1a82db3abc2fa71a3fffecfedef579a8468a44850cd8a83a0c56974faff81689';
    expect(messengerSignature(vectorBody, 'test-app-secret')).toBe(vector);
    expect(verifySignature(Buffer.from(vectorBody), vector, 'test-app-secret')).toBe(true);
    expect(verifySignature(Buffer.from(vectorBody), vector.toUpperCase().replace('SHA256=', 'sha256='), 'test-app-secret')).toBe(true);

    const { url, fake, conversationOf, assistant } = await setup();
    expect((await postWebhook(url, vectorBody, vector)).status).toBe(200);

    const psid = '24000000000000001';
    const body = metaJson(pageEvent(entry([textItem(psid, 'm_forged1', 'tro cap nguoi khuyet tat bao nhieu')])));
    expect((await postWebhook(url, body, null)).status).toBe(403);
    expect((await postWebhook(url, body, sign(body, 'another-app-secret'))).status).toBe(403);
    expect((await postWebhook(url, body, sign(body.replace('khuyet', 'khuyat')))).status).toBe(403);
    expect((await postWebhook(url, body, 'sha256=zz')).status).toBe(403);
    expect((await postWebhook(url, body, sign(body).slice(7))).status).toBe(403); // hex without the "sha256=" prefix
    // Only the legacy SHA-1 header: not enough.
    const legacy = await fetch(`${url}/messenger/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature': 'sha1=0000000000000000000000000000000000000000' }, body });
    expect(legacy.status).toBe(403);
    // Every webhook stores (or refuses) before it answers: once the turns and sends started so far are done, nothing more can come.
    await assistant.runner.idle();
    await assistant.outbox.idle();
    expect(await conversationOf(psid)).toBeNull();
    expect(await assistant.store.messages.listUnhandledInbound()).toEqual([]);
    expect(fake.sends()).toHaveLength(0);
  });

  it("answers Vietnamese text signed over Meta's \\u escapes once, even when Meta delivers it twice", async () => {
    const { url, fake, messagesOf, assistant } = await setup();
    const psid = '24000000000000002';
    const event = pageEvent(entry([textItem(psid, 'm_vn_1', 'Cho tôi hỏi trợ cấp người khuyết tật bao nhiêu?')]));
    const raw = metaJson(event);
    expect(raw).toContain('Cho t\\u00f4i h\\u1ecfi');
    expect(raw).not.toContain('ô');
    // Re-serialised JSON is other bytes: its signature does not match what was received.
    expect((await postWebhook(url, raw, sign(JSON.stringify(event)))).status).toBe(403);

    expect((await postWebhook(url, raw)).status).toBe(200);
    await waitFor(() => fake.sendsTo(psid).length === 1, 'the reply');
    expect((await postWebhook(url, raw)).status).toBe(200);
    await assistant.runner.idle();
    await assistant.outbox.drainDue();
    expect(fake.sendsTo(psid)).toHaveLength(1);

    const [send] = fake.sendsTo(psid);
    expect(send!.path).toBe('/v25.0/me/messages');
    expect(send!.query.access_token).toBe(TEST_PAGE_TOKEN);
    expect(send!.query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
    expect(send!.body).toMatchObject({ recipient: { id: psid }, messaging_type: 'RESPONSE' });
    expect(send!.body.tag).toBeUndefined();
    expect(textOf(send!)).toMatch(/khuyết tật/);
    expect(textOf(send!)).toMatch(/Nguồn: /);
    expect(send!.body.message.quick_replies).toEqual([
      { content_type: 'text', title: 'Hỏi câu khác', payload: 'Hỏi câu khác' },
      { content_type: 'text', title: 'Chưa đúng ý', payload: 'Chưa đúng ý' },
      { content_type: 'text', title: 'Gặp tư vấn viên', payload: 'Gặp tư vấn viên' },
    ]);

    const messages = await messagesOf(psid);
    expect(messages.map((m) => m.direction)).toEqual(['in', 'out']);
    expect(messages[0]).toMatchObject({ platformMessageId: 'msg:m_vn_1', text: 'Cho tôi hỏi trợ cấp người khuyết tật bao nhiêu?' });
    expect(messages[0]!.handledAt).not.toBeNull();
    expect(messages[1]!.delivery).toMatchObject({ status: 'sent', attempts: 1 });
    expect(messages[1]!.platformMessageId).toMatch(/^m_fake\d+$/);
  });

  it('cuts quick-reply titles to 20 characters with the full text in the message, and reads a tap by its payload and a postback by its title', async () => {
    const { url, fake, messagesOf, assistant } = await setup();
    const psid = '24000000000000003';
    expect((await postWebhook(url, pageEvent(entry([textItem(psid, 'm_hi', 'xin chào')])))).status).toBe(200);
    const greeting = await waitFor(() => fake.sendsTo(psid)[0], 'the greeting');
    const qr = greeting.body.message.quick_replies as Array<{ title: string; payload: string }>;
    for (const q of qr) expect(Array.from(q.title).length).toBeLessThanOrEqual(20);
    expect(qr.map((q) => q.payload)).toContain('Trợ cấp người khuyết tật');
    const cut = qr.find((q) => q.payload === 'Trợ cấp người khuyết tật')!;
    expect(cut.title).toBe('Trợ cấp người khuyế…');
    expect(textOf(greeting)).toContain('• Trợ cấp người khuyết tật');

    // The citizen taps the cut title: Meta sends the title as text, the full choice as payload.
    expect((await postWebhook(url, pageEvent(entry([quickReplyItem(psid, 'm_tap', cut.title, cut.payload)])))).status).toBe(200);
    await waitFor(() => fake.sendsTo(psid).length === 2, 'the answer to the tap');
    expect(textOf(fake.sendsTo(psid)[1]!)).toMatch(/khuyết tật[\s\S]*Nguồn: /);
    const tap = (await messagesOf(psid)).find((m) => m.platformMessageId === 'msg:m_tap')!;
    expect(tap.text).toBe('Trợ cấp người khuyết tật');

    // A postback (button template, persistent menu): its title is what the citizen said.
    const other = '24000000000000004';
    expect((await postWebhook(url, pageEvent(entry([postbackItem(other, 'm_pb_1', 'Gặp tư vấn viên', 'HANDOFF')])))).status).toBe(200);
    const handoff = await waitFor(() => fake.sendsTo(other)[0], 'the answer to the postback');
    expect(textOf(handoff)).toMatch(/chuyển yêu cầu gặp tư vấn viên/);
    const postback = (await messagesOf(other))[0]!;
    expect(postback).toMatchObject({ platformMessageId: 'postback:m_pb_1', text: 'Gặp tư vấn viên' });
    expect((postback.activity as { value?: string }).value).toBe('HANDOFF');
    // A postback without a mid (before v11.0) delivered twice is still answered once.
    const third = '24000000000000005';
    const old = pageEvent(entry([postbackItem(third, undefined, 'Hỏi câu khác', 'ASK_AGAIN', 1795300999000)]));
    expect((await postWebhook(url, old)).status).toBe(200);
    expect((await postWebhook(url, old)).status).toBe(200);
    await waitFor(() => fake.sendsTo(third).length === 1, 'the answer to the old postback');
    await assistant.runner.idle();
    await assistant.outbox.drainDue();
    expect(fake.sendsTo(third)).toHaveLength(1);
  });

  it('reads every entry of a batch, messaging and standby, in timestamp order; ignores echoes, reads, deliveries, reactions and other pages', async () => {
    const { url, fake, conversationOf, messagesOf, assistant } = await setup();
    const [a, b, standby, elsewhere] = ['24000000000000011', '24000000000000012', '24000000000000013', '24000000000000014'];
    const t = 1795301000000;
    const body = pageEvent(
      entry(
        [
          // Out of order in the array: the timestamps decide.
          textItem(a, 'm_a2', 'muc chuan tro giup xa hoi hien nay la bao nhieu', t + 2000),
          echoItem(a, 'm_echo1', 'Tin nhắn của trang'),
          readItem(a),
          deliveryItem(a),
          reactionItem(a, 'm_echo1'),
          textItem(a, 'm_a1', 'tro cap nguoi khuyet tat bao nhieu', t + 1000),
        ],
        { standby: [textItem(standby, 'm_sb1', 'tro cap nguoi gia bao nhieu', t + 500), echoItem(standby, 'm_sb_echo', 'Chị Lan trả lời trong hộp thư Meta')] },
      ),
      entry([textItem(b, 'm_b1', 'tro cap nguoi khuyet tat bao nhieu', t + 1500)]),
      entry([textItem(elsewhere, 'm_o1', 'tro cap nguoi khuyet tat bao nhieu', t + 1600, '999999999')], { pageId: '999999999' }),
    );
    expect((await postWebhook(url, body)).status).toBe(200);
    await waitFor(() => fake.sendsTo(a).length === 2 && fake.sendsTo(b).length === 1, 'replies to both citizens');
    const [first, second] = fake.sendsTo(a);
    expect(textOf(first!)).toMatch(/khuyết tật/);
    expect(textOf(second!)).toMatch(/500\.000 đồng/);
    // The echo is not a citizen's message: nothing stored for it.
    expect((await messagesOf(a)).filter((m) => m.direction === 'in').map((m) => m.platformMessageId)).toEqual(['msg:m_a1', 'msg:m_a2']);

    // Standby: recorded for the transcript, handled, never answered (not even by recovery).
    const sb = await messagesOf(standby);
    expect(sb.map((m) => [m.direction, m.platformMessageId])).toEqual([['in', 'msg:m_sb1']]);
    expect(sb[0]!.handledAt).not.toBeNull();
    expect((await conversationOf(standby))!.lastInboundAt).not.toBeNull();
    await assistant.runner.recover();
    await assistant.runner.idle();
    await assistant.outbox.drainDue();
    expect(fake.sendsTo(standby)).toHaveLength(0);
    // Another Page's entry: ignored.
    expect(await conversationOf(elsewhere)).toBeNull();
    expect(fake.sendsTo(elsewhere)).toHaveLength(0);
    // The same mid later delivered through `messaging` (thread control came back) is the same message.
    expect((await postWebhook(url, pageEvent(entry([textItem(standby, 'm_sb1', 'tro cap nguoi gia bao nhieu', t + 500)])))).status).toBe(200);
    await assistant.runner.idle();
    expect(fake.sendsTo(standby)).toHaveLength(0);
  });

  it('answers an image, a sticker, a voice note and a location kindly and keeps their platform references', async () => {
    const { url, fake, messagesOf } = await setup();
    const photo = 'https://scontent.xx.fbcdn.net/v/t1.15752-9/photo.jpg?_nc_cat=1';
    const like = 'https://scontent.xx.fbcdn.net/v/t39.1997-6/like.png';
    const voice = 'https://cdn.fbsbx.com/v/t59.3654-21/voice.mp4';
    const cases = [
      { psid: '24000000000000021', item: attachmentItem('24000000000000021', 'm_img', 'image', { url: photo }), reply: /chưa xem được ảnh/, attachment: { contentType: 'image/*', contentUrl: photo } },
      { psid: '24000000000000022', item: attachmentItem('24000000000000022', 'm_stk', 'image', { url: like, sticker_id: 369239263222822 }), reply: /chưa xem được ảnh/, attachment: { contentType: 'image/*', contentUrl: like, name: 'sticker', content: { stickerId: '369239263222822' } } },
      { psid: '24000000000000023', item: attachmentItem('24000000000000023', 'm_voice', 'audio', { url: voice }), reply: /chưa nghe được tin nhắn thoại/, attachment: { contentType: 'audio/*', contentUrl: voice } },
      { psid: '24000000000000024', item: attachmentItem('24000000000000024', 'm_loc', 'location', { coordinates: { lat: 16.0544, long: 108.2022 } }), reply: /chỉ đọc được tin nhắn chữ/, attachment: { contentType: 'application/vnd.ctxh.location', content: { latitude: 16.0544, longitude: 108.2022 } } },
    ];
    expect((await postWebhook(url, pageEvent(entry(cases.map((c) => c.item))))).status).toBe(200);
    for (const c of cases) {
      const reply = await waitFor(() => fake.sendsTo(c.psid)[0], `the reply to ${c.attachment.contentType}`);
      expect(textOf(reply)).toMatch(c.reply);
      expect(titles(reply)).toContain('Gặp tư vấn viên');
      const [inbound] = await messagesOf(c.psid);
      expect(inbound!.text).toBe('');
      expect((inbound!.activity as { attachments?: unknown[] }).attachments).toEqual([c.attachment]);
    }
  });

  it('ignores a signed body of another shape with 200 and refuses one that is not JSON, while good events of the batch still count', async () => {
    const { url, fake, conversationOf } = await setup();
    expect((await postWebhook(url, 'null')).status).toBe(200);
    expect((await postWebhook(url, '[1,2]')).status).toBe(200);
    expect((await postWebhook(url, '{"object":"instagram","entry":[]}')).status).toBe(200);
    expect((await postWebhook(url, '{"object":')).status).toBe(400);
    const good = '24000000000000031';
    const body = pageEvent(entry([{ sender: {}, recipient: { id: '1' }, timestamp: 1, message: { mid: 'm_bad' } }, { message: 'not an object' }, textItem(good, 'm_good', 'tro cap nguoi khuyet tat bao nhieu')]), { id: 42 });
    expect((await postWebhook(url, body)).status).toBe(200);
    await waitFor(() => fake.sendsTo(good).length === 1, 'the good event answered');
    expect(await conversationOf(good)).not.toBeNull();
  });
});

describe('Messenger delivery', () => {
  it('sends a rate-limited reply once, after a retry, and before the reply that follows it', async () => {
    const { url, fake, messagesOf } = await setup();
    const psid = '24000000000000041';
    fake.failNext('rate-limit');
    expect((await postWebhook(url, pageEvent(entry([textItem(psid, 'm_r1', 'tro cap nguoi khuyet tat bao nhieu')])))).status).toBe(200);
    expect((await postWebhook(url, pageEvent(entry([textItem(psid, 'm_r2', 'muc chuan tro giup xa hoi hien nay la bao nhieu')])))).status).toBe(200);
    await waitFor(() => fake.sendsTo(psid).length === 2, 'both replies', 10_000);
    const [first, second] = fake.sendsTo(psid);
    expect(textOf(first!)).toMatch(/khuyết tật/);
    expect(textOf(second!)).toMatch(/500\.000 đồng/);
    expect(fake.attemptsTo(psid).filter((c) => c.failed)).toHaveLength(1);
    // The fake has both calls; the outbox records each as sent once Meta's answer is back.
    const outbound = await waitFor(async () => {
      const out = (await messagesOf(psid)).filter((m) => m.direction === 'out');
      return out.every((m) => m.delivery?.status === 'sent') ? out : null;
    }, 'both recorded as sent');
    expect(outbound.map((m) => m.delivery?.status)).toEqual(['sent', 'sent']);
    expect(outbound[0]!.delivery).toMatchObject({ attempts: 2, error: 'rate-limited' });
  });

  it('records both closed-window errors and "no matching user" once, never retries them, and still answers others', async () => {
    const { url, fake, conversationOf, messagesOf, assistant } = await setup();
    const refused = [
      { psid: '24000000000000051', kind: 'window-closed', code: 'window-closed' },
      { psid: '24000000000000052', kind: 'unavailable', code: 'window-closed' },
      { psid: '24000000000000053', kind: 'no-user', code: 'invalid-recipient' },
    ] as const;
    for (const r of refused) fake.failFor(r.psid, r.kind);
    expect((await postWebhook(url, pageEvent(entry(refused.map((r, i) => textItem(r.psid, `m_f${i}`, 'tro cap nguoi gia bao nhieu')))))).status).toBe(200);
    for (const r of refused) {
      await waitFor(async () => (await conversationOf(r.psid))?.undeliverable, `${r.kind} recorded`);
      expect((await conversationOf(r.psid))!.undeliverable!.reason).toBe(r.code);
      const [reply] = (await messagesOf(r.psid)).filter((m) => m.direction === 'out');
      expect(reply!.delivery).toMatchObject({ status: 'failed', error: r.code, attempts: 1 });
    }
    const other = '24000000000000054';
    expect((await postWebhook(url, pageEvent(entry([textItem(other, 'm_ok', 'tro cap nguoi khuyet tat bao nhieu')])))).status).toBe(200);
    await waitFor(() => fake.sendsTo(other).length === 1, 'another citizen answered');
    for (let i = 0; i < 3; i++) await assistant.outbox.drainDue();
    for (const r of refused) {
      expect(fake.attemptsTo(r.psid)).toHaveLength(1);
      const conversation = await conversationOf(r.psid);
      expect(await assistant.store.audit.list({ subject: conversation!.id, action: 'outbox.failed' })).toHaveLength(1);
    }
  });

  it("keeps the 24-hour window, sends a counsellor's late reply with HUMAN_AGENT up to 7 days, and refuses the rest without calling Meta", async () => {
    const clock = movableClock();
    const { url, fake, conversationOf, messagesOf, assistant } = await setup({}, { now: clock.now });
    const psid = '24000000000000061';
    expect((await postWebhook(url, pageEvent(entry([textItem(psid, 'm_w1', 'tro cap nguoi khuyet tat bao nhieu')])))).status).toBe(200);
    await waitFor(() => fake.sendsTo(psid).length === 1, 'the reply in the window');
    expect(fake.sendsTo(psid)[0]!.body.messaging_type).toBe('RESPONSE');
    await assistant.runner.idle();
    const conversation = (await conversationOf(psid))!;
    const counsellor = (text: string) => ({ type: 'message', text, channelData: { author: { staffId: 'staff-1', name: 'Chị Lan' } } });

    // 30 hours later: a counsellor's reply goes with the HUMAN_AGENT tag…
    clock.advance(30 * HOUR);
    await assistant.runner.sendProactive(conversation, counsellor('Chào bạn, chị là Lan ở trung tâm. Chị gọi lại cho bạn nhé?'));
    await waitFor(() => fake.sendsTo(psid).length === 2, "the counsellor's late reply");
    expect(fake.sendsTo(psid)[1]!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    // …a bot message does not go at all (window closed for it), but the conversation stays open to counsellors.
    await assistant.runner.sendProactive(conversation, { type: 'message', text: 'Bạn đang ở vị trí số 2 trong hàng chờ.' });
    await waitFor(async () => (await messagesOf(psid)).at(-1)!.delivery?.status === 'failed', 'the bot message refused');
    expect((await messagesOf(psid)).at(-1)!.delivery).toMatchObject({ status: 'failed', error: 'window-closed', attempts: 1 });
    expect((await conversationOf(psid))!.undeliverable).toBeNull();
    expect(fake.attemptsTo(psid)).toHaveLength(2);
    await assistant.runner.sendProactive(conversation, counsellor('Chị vẫn ở đây nếu bạn cần.'));
    await waitFor(() => fake.sendsTo(psid).length === 3, 'a second counsellor reply still goes');
    expect(fake.sendsTo(psid)[2]!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });

    // The citizen writes again: the window opens, the mark is cleared, replies are RESPONSE again.
    expect((await postWebhook(url, pageEvent(entry([textItem(psid, 'm_w2', 'muc chuan tro giup xa hoi hien nay la bao nhieu')])))).status).toBe(200);
    await waitFor(() => fake.sendsTo(psid).length === 4, 'the reply after the citizen wrote again');
    expect(fake.sendsTo(psid)[3]!.body.messaging_type).toBe('RESPONSE');
    expect((await conversationOf(psid))!.undeliverable).toBeNull();
    await assistant.runner.idle();

    // Eight days later not even a counsellor's message may go.
    clock.advance(8 * 24 * HOUR);
    await assistant.runner.sendProactive((await conversationOf(psid))!, counsellor('Bạn còn cần giúp không?'));
    await waitFor(async () => (await conversationOf(psid))?.undeliverable, 'window closed for good');
    expect(fake.attemptsTo(psid)).toHaveLength(4);
    expect((await messagesOf(psid)).at(-1)!.delivery).toMatchObject({ status: 'failed', error: 'window-closed' });
  });

  it('waits long after an invalid token (190), logs it without ids, text or token, and delivers once the token is fixed', async () => {
    const clock = movableClock();
    const { log, lines } = capturedLog();
    const { url, fake, messagesOf, assistant } = await setup({}, { now: clock.now, log });
    fake.acceptToken('fake-page-token-the-centre-has-not-configured');
    const psid = '24000000000000071';
    expect((await postWebhook(url, pageEvent(entry([textItem(psid, 'm_t1', 'tro cap nguoi khuyet tat bao nhieu')])))).status).toBe(200);
    await waitFor(() => fake.attemptsTo(psid).length === 1, 'the refused call');
    const queued = await waitFor(async () => (await messagesOf(psid)).find((m) => m.direction === 'out' && m.delivery?.error === 'invalid-token'), 'the retry scheduled');
    expect(queued.delivery!.status).toBe('queued');
    expect(queued.delivery!.nextAttemptAt!.getTime() - clock.now().getTime()).toBeGreaterThan(4 * 60_000);
    expect(lines.some((l) => JSON.parse(l).level === 50 && /access token is invalid/.test(l))).toBe(true);
    await assistant.outbox.drainDue();
    expect(fake.attemptsTo(psid)).toHaveLength(1);

    // The token is fixed (here: Meta accepts ours again); once the wait is over it goes, once.
    fake.acceptToken(TEST_PAGE_TOKEN);
    clock.advance(5 * 60_000 + 90_000);
    await assistant.outbox.drainDue();
    await waitFor(() => fake.sendsTo(psid).length === 1, 'delivered after the fix');
    expect((await messagesOf(psid)).find((m) => m.direction === 'out')!.delivery).toMatchObject({ status: 'sent', attempts: 2 });

    // Also refused and closed-window sends and a forged request: none of it leaks into the logs.
    fake.failFor('24000000000000072', 'unavailable');
    await postWebhook(url, pageEvent(entry([textItem('24000000000000072', 'm_t2', 'tro cap nguoi khuyet tat bao nhieu')])));
    await postWebhook(url, pageEvent(entry([textItem('24000000000000073', 'm_t3', 'tro cap nguoi khuyet tat bao nhieu')])), sign('x'));
    await waitFor(() => lines.some((l) => l.includes('outbox.failed')), 'the failure logged');
    const all = lines.join('\n');
    for (const secret of [psid, '24000000000000072', '24000000000000073', TEST_PAGE_TOKEN, TEST_APP_SECRET, 'khuyết tật', 'khuyet tat']) expect(all).not.toContain(secret);
  });
});

describe('MessengerSender against the fake Graph API', () => {
  const silent = pino({ level: 'silent' });
  const conversation = (psid: string, lastInboundAt: Date | null): Conversation => ({
    id: `c-${psid}`,
    channel: 'messenger',
    userId: psid,
    chatId: psid,
    reference: {},
    status: 'bot',
    createdAt: new Date(),
    updatedAt: new Date(),
    lastInboundAt,
    risk: null,
    undeliverable: null,
  });
  const senderFor = (fake: FakeMessenger, extra: Partial<ConstructorParameters<typeof MessengerSender>[0]> = {}) =>
    new MessengerSender({ graphBase: fake.base, graphVersion: fake.version, pageAccessToken: TEST_PAGE_TOKEN, appSecret: TEST_APP_SECRET, now: () => new Date(), log: silent, ...extra });

  it('splits text at 2000 characters, keeps at most 13 quick replies with the full choices in the message', async () => {
    const fake = await startFakeMessenger({ appSecret: TEST_APP_SECRET });
    cleanups.push(fake.close);
    const paragraph = 'Người khuyết tật nặng được hưởng trợ cấp xã hội hằng tháng theo quy định hiện hành. '.repeat(12);
    const text = [paragraph, paragraph, paragraph, paragraph].join('\n\n');
    const choices = Array.from({ length: 15 }, (_, i) => (i === 0 ? 'Có' : `Phường số ${i} của thành phố Đà Nẵng`));
    const activity = { type: 'message', text, suggestedActions: { to: [], actions: choices.map((c) => ({ type: 'imBack', title: c, value: c })) } };
    const { platformMessageId } = await senderFor(fake).send(conversation('24000000000000081', new Date()), activity);
    const sends = fake.sendsTo('24000000000000081');
    expect(sends.length).toBeGreaterThanOrEqual(3);
    expect(platformMessageId).toBe(`m_fake${sends.length}`);
    for (const s of sends) expect(textOf(s).length).toBeLessThanOrEqual(2000);
    expect(sends.slice(0, -1).every((s) => !s.body.message.quick_replies)).toBe(true);
    const last = sends.at(-1)!;
    expect(last.body.message.quick_replies).toHaveLength(13);
    expect(titles(last)[0]).toBe('Có');
    for (const title of titles(last)) expect(Array.from(title).length).toBeLessThanOrEqual(20);
    expect(last.body.message.quick_replies[1].payload).toBe('Phường số 1 của thành phố Đà Nẵng');
    // Every choice, the two that did not fit included, is in the message in full.
    for (const c of choices.slice(1)) expect(textOf(last)).toContain(`• ${c}`);
    expect(sends.map(textOf).join(' ')).toContain('Người khuyết tật nặng');
  });

  it('classifies every error code of the reference', () => {
    const errors: Array<{ level: string; detail: unknown }> = [];
    const log = { error: (detail: unknown) => errors.push({ level: 'error', detail }), warn: (detail: unknown) => errors.push({ level: 'warn', detail }) } as unknown as typeof silent;
    const sender = new MessengerSender({ graphBase: 'http://127.0.0.1:1', graphVersion: 'v25.0', pageAccessToken: TEST_PAGE_TOKEN, now: () => new Date(), log });
    const meta = (code: number, error_subcode?: number, extra: Record<string, unknown> = {}) => ({ error: { message: 'x', type: 'OAuthException', code, ...(error_subcode ? { error_subcode } : {}), fbtrace_id: 'T', ...extra } });
    const c = (status: number, body: unknown, retryAfter: string | null = null) => {
      const e = sender.classify(status, body, retryAfter);
      return [e.kind, e.code, e.retryAfterMs];
    };
    expect(c(400, meta(613))).toEqual(['retry', 'rate-limited', undefined]);
    expect(c(400, meta(4, 2018022))).toEqual(['retry', 'rate-limited', undefined]);
    expect(c(400, meta(17))).toEqual(['retry', 'rate-limited', undefined]);
    expect(c(400, meta(32))).toEqual(['retry', 'rate-limited', undefined]);
    expect(c(429, meta(613), '7')).toEqual(['retry', 'rate-limited', 7000]);
    expect(c(401, meta(190, 463))).toEqual(['retry', 'invalid-token', 300_000]);
    expect(errors.filter((e) => e.level === 'error')).toHaveLength(1);
    expect(c(400, meta(10, 2018278))).toEqual(['permanent', 'window-closed', undefined]);
    expect(c(400, meta(10, 2018065))).toEqual(['permanent', 'window-closed', undefined]);
    expect(c(400, meta(551, 1545041))).toEqual(['permanent', 'window-closed', undefined]);
    // The 2026 page's reading: 1545041 as the window code, under another code.
    expect(c(400, meta(10, 1545041))).toEqual(['permanent', 'window-closed', undefined]);
    expect(c(400, meta(100, 2018001))).toEqual(['permanent', 'invalid-recipient', undefined]);
    expect(c(400, meta(100))).toEqual(['permanent', 'bad-request', undefined]);
    expect(c(403, meta(200))).toEqual(['permanent', 'permission-denied', undefined]);
    expect(c(500, meta(2))).toEqual(['retry', 'graph-2', undefined]);
    expect(c(500, meta(1200))).toEqual(['retry', 'graph-1200', undefined]);
    expect(c(400, meta(9999, undefined, { is_transient: true }))).toEqual(['retry', 'graph-9999', undefined]);
    expect(c(502, undefined)).toEqual(['retry', 'http-502', undefined]);
    expect(c(429, undefined)).toEqual(['retry', 'rate-limited', undefined]);
    // The raw code is logged for the disputed window codes, without anything personal.
    expect(errors.some((e) => e.level === 'warn' && (e.detail as { subcode?: number }).subcode === 1545041)).toBe(true);
  });

  it('retries a network failure and a timeout, and computes the window from lastInboundAt', async () => {
    const dead = new MessengerSender({ graphBase: 'http://127.0.0.1:9', graphVersion: 'v25.0', pageAccessToken: TEST_PAGE_TOKEN, now: () => new Date(), log: silent });
    await expect(dead.send(conversation('24000000000000091', new Date()), { type: 'message', text: 'Xin chào' })).rejects.toMatchObject({ kind: 'retry', code: 'network' });
    const fake = await startFakeMessenger({ appSecret: TEST_APP_SECRET });
    cleanups.push(fake.close);
    fake.hold();
    await expect(senderFor(fake, { timeoutMs: 200 }).send(conversation('24000000000000092', new Date()), { type: 'message', text: 'Xin chào' })).rejects.toMatchObject({ kind: 'retry', code: 'timeout' });
    fake.release();

    const now = new Date('2026-11-30T10:00:00Z');
    const ago = (h: number) => new Date(now.getTime() - h * HOUR);
    expect(messagingWindow(ago(23.9), now, false)).toEqual({ messaging_type: 'RESPONSE' });
    expect(messagingWindow(ago(24), now, false)).toEqual({ messaging_type: 'RESPONSE' });
    expect(messagingWindow(ago(24.01), now, false)).toBeNull();
    expect(messagingWindow(ago(24.01), now, true)).toEqual({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(messagingWindow(ago(168), now, true)).toEqual({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
    expect(messagingWindow(ago(168.01), now, true)).toBeNull();
    expect(messagingWindow(ago(30), now, true, false)).toBeNull();
    expect(messagingWindow(null, now, true)).toBeNull();
    // Without the Human Agent feature a counsellor's late reply is refused here, not sent.
    const noTag = senderFor(fake, { humanAgentTag: false, now: () => now });
    await expect(noTag.send(conversation('24000000000000093', ago(30)), { type: 'message', text: 'Chị đây', channelData: { author: { staffId: 's', name: 'Lan' } } })).rejects.toMatchObject({ kind: 'permanent', code: 'window-closed' });
    expect(fake.attemptsTo('24000000000000093')).toHaveLength(0);
    expect(quickReplies(['Gặp tư vấn viên']).listed).toBeNull();
  });
});
