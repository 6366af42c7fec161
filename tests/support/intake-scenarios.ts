/**
 * The intake's acceptance scenarios over the real Direct Line client, shared by the
 * SQLite run (tests/intake-directline.test.ts) and the Mongo lane
 * (tests/store.contract.test.ts). `dump` returns everything the store holds, as raw
 * rows or documents in JSON, so a test can look for personal data the way an auditor
 * reading the database would.
 */
import { expect } from 'vitest';
import { citizenKeyOf, type Store, type Ticket } from '../../src/store/types.js';
import { waitFor } from './http.js';
import { WebCitizen } from './urgent-scenarios.js';
import { newTicket } from './builders.js';

export type Dump = () => Promise<string>;

/** A whole intake typed without diacritics, with an old province name (Quảng Nam is in Đà Nẵng since 1/7/2025). */
export const NO_DIACRITICS_INTAKE = [
  'dang ky ho tro',
  'dong y',
  'nguoi than',
  'nguoi cao tuoi',
  '82 tuoi',
  'cham soc',
  'phuong hoi an, quang nam',
  'dung roi',
  'co',
  '0905.123.456',
  'ba noi toi song mot minh, chan yeu khong di cho duoc',
] as const;

export const PHONE_DIGITS = '905123456';
export const DESCRIPTION_WORDS = 'chan yeu khong di cho duoc';
/** What a counsellor wrote about the citizen at an earlier contact: a close note and an internal note. */
export const CLOSE_NOTE_WORDS = 'đã hẹn thăm nhà bà nội';
export const NOTE_WORDS = 'bà nội hay quên uống thuốc';

async function conversationOf(store: Store, citizen: WebCitizen) {
  return waitFor(() => store.conversations.findByAddress({ channel: 'webchat', chatId: citizen.conversationId, userId: citizen.userId }), 'conversation');
}

/**
 * An earlier contact with a counsellor, three days ago (outside the reopen window): a
 * ticket closed with a close note, and an internal note, both about the citizen.
 */
async function earlierContact(store: Store, citizen: WebCitizen): Promise<Ticket> {
  const conversation = await conversationOf(store, citizen);
  const at = new Date(Date.now() - 3 * 86_400_000);
  const { ticket } = await store.tickets.open(
    newTicket(conversation.userId, { conversationId: conversation.id, citizenKey: citizenKeyOf(conversation), channel: conversation.channel, createdAt: at }),
  );
  await store.notes.add({ conversationId: conversation.id, ticketId: ticket.id, authorId: 'staff-test', text: `Gọi 0${PHONE_DIGITS}: ${NOTE_WORDS}`, createdAt: at });
  const closed = await store.tickets.close(ticket.id, { by: 'staff-test', outcome: 'follow-up', note: `Số 0${PHONE_DIGITS}, ${CLOSE_NOTE_WORDS}` }, new Date(at.getTime() + 600_000));
  return closed!;
}

/** Completes the intake, checks the case, then shows and erases the citizen's data. */
export async function runIntakeAndErasure(url: string, store: Store, dump: Dump): Promise<void> {
  const citizen = await WebCitizen.open(url);
  try {
    const replies: string[] = [];
    let earlier: Ticket | null = null;
    for (const text of NO_DIACRITICS_INTAKE) {
      replies.push(await citizen.say(text));
      earlier ??= await earlierContact(store, citizen);
    }
    expect(replies[0]).toMatch(/Bạn có đồng ý không\?/);
    expect(replies[6]).toMatch(/Phường Hội An.*Thành phố Đà Nẵng/);
    expect(replies[10]).toMatch(/Mình ghi lại như sau/);
    expect(replies[10]).toMatch(/0905 123 456/);
    const done = await citizen.say('gui phieu');
    const code = /CTXH-\d{4}-\d{6}/.exec(done)?.[0];
    expect(code, done).toBeTruthy();

    const conversation = await conversationOf(store, citizen);
    const kept = await store.cases.getByCode(code!);
    expect(kept).toMatchObject({
      conversationId: conversation.id,
      who: 'relative',
      group: 'nguoi-cao-tuoi',
      need: 'cham-soc',
      provinceCode: '48',
      age: 82,
      phone: '+84905123456',
      description: 'ba noi toi song mot minh, chan yeu khong di cho duoc',
      status: 'received',
    });
    expect(kept!.communeCode).toMatch(/^\d{5}$/);
    expect(kept!.consentIds.length).toBeGreaterThanOrEqual(2);
    const consents = await store.consents.listByCitizen(citizenKeyOf(conversation));
    expect(consents.map((c) => `${c.purpose}:${c.decision}`).sort()).toEqual(['callback:granted', 'intake:granted']);
    const intakeTicket = await store.tickets.findOpenByConversation(conversation.id);
    expect(intakeTicket).toMatchObject({ reason: 'intake', closeNote: null });
    expect((await store.tickets.listByCitizen(citizenKeyOf(conversation))).map((t) => t.id)).toEqual([intakeTicket!.id, earlier!.id]);
    expect(await store.notes.listByConversations([conversation.id])).toHaveLength(1);
    // The intake's answers were not kept as messages beyond their turn.
    const inbound = (await store.messages.listByConversation(conversation.id)).filter((m) => m.direction === 'in');
    expect(inbound.some((m) => m.text.includes(PHONE_DIGITS.slice(-6)) || m.text.includes('quang nam'))).toBe(false);

    // The case's status, by code, to its own citizen; to anyone else only with the phone on file.
    expect(await citizen.say(`ho so ${code!.toLowerCase()} toi dau roi`)).toMatch(/đã tiếp nhận/);
    const stranger = await WebCitizen.open(url);
    try {
      expect(await stranger.say(`${code} sao roi`)).toMatch(/số điện thoại đã ghi trong phiếu/);
      expect(await stranger.say('0912 000 111')).toMatch(/không khớp/);
      expect(await stranger.say('0905 123 456')).toMatch(/đã tiếp nhận/);
    } finally {
      stranger.close();
    }
    // What is kept, then erasure after one confirmation.
    expect(await citizen.say('xem thong tin cua toi')).toMatch(new RegExp(`${code}[\\s\\S]*0905 123 456`));
    expect(await citizen.say('xoa thong tin cua toi')).toMatch(/không lấy lại được/);
    expect(await citizen.say('Xóa hết')).toMatch(/đã xóa/);

    const erased = await store.cases.getByCode(code!);
    expect(erased).toMatchObject({ phone: null, description: null, communeCode: null, citizenKey: null, age: null });
    expect(erased!.erasedAt).not.toBeNull();
    await waitFor(async () => !(await dump()).includes(PHONE_DIGITS), 'the phone gone from the store');
    const everything = await dump();
    expect(everything).not.toContain(PHONE_DIGITS);
    expect(everything).not.toContain(DESCRIPTION_WORDS);
    expect(everything).not.toMatch(/chan yeu/);
    // Counsellors' words about the citizen are gone: the internal note, and the earlier ticket's close note.
    expect(everything).not.toContain(NOTE_WORDS);
    expect(everything).not.toContain(CLOSE_NOTE_WORDS);
    expect(await store.notes.listByConversations([conversation.id])).toEqual([]);
    // Both tickets stay as counts that are nobody's: the earlier one without its close note,
    // the intake's (still waiting, not urgent) withdrawn as abandoned by the citizen.
    const key = citizenKeyOf(conversation);
    expect(await store.tickets.get(earlier!.id)).toEqual({ ...earlier, citizenKey: '', closeNote: null });
    expect(await store.tickets.listByCitizen(key)).toEqual([]);
    expect(await store.tickets.get(intakeTicket!.id)).toMatchObject({ status: 'abandoned', outcome: 'erased', closedBy: 'citizen', citizenKey: '', closeNote: null });
    const raw = JSON.parse(everything) as { tickets: Array<{ id: string }>; notes: unknown[] };
    expect(raw.tickets.filter((t) => JSON.stringify(t).includes(key))).toEqual([]);
    const audit = await store.audit.list({ subject: conversation.id, action: 'data.erased' });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ cases: 1, notes: 1, tickets: 2 });
    expect(JSON.stringify(audit[0]!.detail)).not.toMatch(/905|chan yeu/);
  } finally {
    citizen.close();
  }
}

/** Declines consent, then goes on chatting: nothing personal is in the store. */
export async function runDeclinedConsent(url: string, store: Store, dump: Dump): Promise<void> {
  const citizen = await WebCitizen.open(url);
  try {
    expect(await citizen.say('dien phieu tiep nhan')).toMatch(/đồng ý/);
    expect(await citizen.say('khong dong y')).toMatch(/không ghi lại/);
    // Still served: a policy answer, and no intake question follows.
    expect(await citizen.say('tro cap nguoi khuyet tat bao nhieu')).toMatch(/Nguồn: /);
    const conversation = await conversationOf(store, citizen);
    const consents = await store.consents.listByCitizen(citizenKeyOf(conversation));
    expect(consents.map((c) => `${c.purpose}:${c.decision}`)).toEqual(['intake:declined']);
    expect(await store.cases.listByCitizen(citizenKeyOf(conversation))).toEqual([]);
    const everything = await dump();
    // No case, no intake answers in the bot's state, no phone anywhere.
    expect(everything).not.toMatch(/"(answers|provinceCode|communeCode|phone)":\s*"?[\w+]/);
    expect(everything).not.toMatch(/\+84\d{9}/);
  } finally {
    citizen.close();
  }
}

/** Cancelled at the summary: nothing the intake gathered or echoed stays in the store. */
export async function runCancelledAtSummary(url: string, store: Store, dump: Dump): Promise<void> {
  const citizen = await WebCitizen.open(url);
  try {
    const replies: string[] = [];
    for (const text of NO_DIACRITICS_INTAKE) replies.push(await citizen.say(text));
    expect(replies[10]).toMatch(/0905 123 456/);
    expect(await citizen.say('huy')).toMatch(/đã hủy phiếu/);
    const conversation = await conversationOf(store, citizen);
    expect(await store.cases.listByCitizen(citizenKeyOf(conversation))).toEqual([]);
    const everything = await dump();
    expect(everything).not.toContain(PHONE_DIGITS);
    expect(everything).not.toContain('0905 123 456');
    expect(everything).not.toMatch(/chan yeu/);
    expect(everything).not.toMatch(/Phường Hội An/);
  } finally {
    citizen.close();
  }
}

/** A policy question mid-intake is answered, then the same question is asked again. */
export async function runDigression(url: string): Promise<void> {
  const citizen = await WebCitizen.open(url);
  try {
    await citizen.say('dang ky ho tro');
    expect(await citizen.say('dong y')).toMatch(/cho ai/);
    const [answer, again] = await citizen.sayAll('tro cap nguoi khuyet tat bao nhieu', 2);
    expect(answer).toMatch(/Nguồn: /);
    expect(again).toMatch(/cho ai/);
    // The intake goes on where it was; the question counted as no failure.
    expect(await citizen.say('toi')).toMatch(/thuộc nhóm nào/);
  } finally {
    citizen.close();
  }
}

/** Three invalid phone numbers in a row: the counsellor offer, not a fourth prompt. */
export async function runInvalidPhones(url: string): Promise<void> {
  const citizen = await WebCitizen.open(url);
  try {
    for (const text of ['dang ky ho tro', 'dong y', 'toi', 'nguoi khuyet tat', 'tro cap', 'phuong ben thanh, tp hcm', 'dung', 'co goi lai']) await citizen.say(text);
    expect(await citizen.say('123')).toMatch(/ví dụ: 0912 345 678/);
    expect(await citizen.say('so cua toi la abc')).toMatch(/ví dụ: 0912 345 678/);
    const third = await citizen.say('01234');
    expect(third).toMatch(/tư vấn viên/);
    expect(third).not.toMatch(/ví dụ: 0912 345 678/);
  } finally {
    citizen.close();
  }
}
