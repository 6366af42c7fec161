/**
 * Risk triage as pure decisions: the detector on how citizens write, the conversation
 * context, the triage step in every state of a conversation, the check-in answer, the
 * optional LLM second opinion (raise only), and the acceptance bar on the eval sets.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import type { Effect, TurnInput } from '../src/flows/chain.js';
import { triageStep } from '../src/flows/steps/triage-step.js';
import { assess, DEFAULT_LEXICON_DIR, loadLexicon, scoreMessage, shippedLexicon, triageTokens } from '../src/flows/triage/index.js';
import { compilePattern, mapPatternWords, PhraseIndex } from '../src/flows/triage/pattern.js';
import { lookUp } from '../src/flows/triage/text.js';
import { checkInAnswer } from '../src/flows/triage/check-in-answer.js';
import { trainRiskModel } from '../src/flows/triage/model.js';
import { LlmSecondOpinion, parseOpinion, raiseOnly } from '../src/flows/triage/second-opinion.js';
import { handoffOver } from './support/builders.js';
import { escalateDueCheckIns } from '../src/handoff/check-in-escalation.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { HANDOFF_PRIORITY, type Conversation, type ConversationRisk } from '../src/store/types.js';

const lexicon = shippedLexicon();
const centre = { name: 'Trung tâm CTXH thử nghiệm', hotline: '0000 111 222' };
const level = (text: string, earlier: string[] = []) => assess(text, earlier, lexicon);
/** True when the message's danger words were all cancelled by a negation. */
const scoreNegated = (text: string) => scoreMessage(text, lexicon).matched.length === 0;

describe('the detector', () => {
  it.each([
    'tui tính đi theo ông nhà tui cho rồi',
    'viết sẵn thư cho mấy đứa nhỏ rồi',
    'e muon chetttt',
    'khôg muốn sống nữa',
    'tao gom du thuoc ngu roi',
    'sao không chết quách cho rồi',
  ])('finds self-harm said indirectly, without diacritics or with typos: "%s"', (text) => {
    expect(level(text)).toMatchObject({ level: 'urgent', category: 'tu-hai' });
  });

  it.each([
    'truyện tối qua có đoạn nhân vật tự tử',
    'đói muốn xỉu mà còn phải xếp hàng',
    'em không muốn chết đâu, chỉ hỏi thủ tục thôi',
    'mệt muốn chết với đống giấy tờ này',
    'Trung tâm có chương trình hỗ trợ tâm lý cho người thân của người đã tự tử không?',
  ])('does not fire on fiction, figurative or negated mentions: "%s"', (text) => {
    expect(level(text).level).not.toBe('urgent');
  });

  it('makes two borderline messages in a row urgent, though neither is alone', () => {
    const first = 'dạo này em thấy cái gì cũng vô ích';
    const second = 'mai mốt chắc không phiền ai nữa đâu';
    // The phrases alone: each message is half a sign, the two together an urgent case.
    const phrases = { ...lexicon, model: undefined };
    expect(assess(first, [], phrases).level).toBe('check-in');
    expect(assess(second, [], phrases).level).toBe('check-in');
    expect(assess(second, [first], phrases)).toMatchObject({ level: 'urgent', category: 'tu-hai', fromContext: true });
    // As shipped (the learned reader may already find the second one urgent on its own).
    expect(level(first).level).toBe('check-in');
    expect(level(second, [first])).toMatchObject({ level: 'urgent', category: 'tu-hai' });
  });

  it('does not let an unrelated earlier message make a plain question urgent', () => {
    expect(level('tro cap nguoi gia bao nhieu', ['dạo này em thấy cái gì cũng vô ích']).level).toBe('none');
  });

  it('keeps a negation to its own clause', () => {
    expect(scoreNegated('máu chảy không cầm, người lừ đừ')).toBe(false);
    expect(scoreNegated('em không muốn chết')).toBe(true);
  });

  it('reads a baby\'s age in months, not a pregnancy', () => {
    expect(scoreMessage('bé 8 tháng sốt cao', lexicon).child).toBe(true);
    expect(scoreMessage('vợ em có bầu 7 tháng', lexicon).child).toBe(false);
  });

  it('does not flag a resolved past mention', () => {
    expect(level('năm ngoái tôi bị chồng đánh, giờ ly hôn rồi, ổn rồi').level).toBe('none');
  });

  it('explains itself with cue ids only, never the text', () => {
    const a = level('em đang gom thuốc của bà để uống một lần cho xong');
    expect(a.reasons.length).toBeGreaterThan(0);
    for (const r of a.reasons) expect(r).toMatch(/^[a-z0-9:/-]+$/);
  });
});

describe('choosing the category', () => {
  it('lets self-harm win over the violence that drives it', () => {
    expect(assess('chồng đánh em hoài, em muốn chết cho xong', [], lexicon)).toMatchObject({ level: 'urgent', category: 'tu-hai' });
  });

  it('reads "ba con nhỏ" as the woman\'s husband, not a child in danger, and still names a child hit by him', () => {
    expect(assess('ba con nhỏ đang đánh tui', [], lexicon)).toMatchObject({ level: 'urgent', category: 'bao-luc' });
    expect(assess('má thằng bé đang cầm dao đuổi chém tui', [], lexicon)).toMatchObject({ level: 'urgent', category: 'bao-luc' });
    expect(assess('chồng tui đang đánh đứa nhỏ, nó khóc ngất', [], lexicon)).toMatchObject({ level: 'urgent', category: 'xam-hai-tre-em' });
  });

  it('keeps a beating of the mother told by her child as violence, and a beating of the child as harm to a child', () => {
    // A cue with adultVictim (bao-luc/con-ke-cha-danh-me) names who is harmed: a child writing does not move it.
    expect(assess('bố em đang đánh mẹ em ở dưới nhà, em mới 13 tuổi em sợ lắm', [], lexicon)).toMatchObject({ level: 'urgent', category: 'bao-luc' });
    expect(assess('ba con đang đánh mẹ con ở phòng khách, con với em con trốn trong phòng', [], lexicon)).toMatchObject({ level: 'urgent', category: 'bao-luc' });
    expect(assess('em 12 tuổi, bố em đang đánh em bằng roi, đau quá', [], lexicon)).toMatchObject({ level: 'urgent', category: 'xam-hai-tre-em' });
  });

  it('does not let a bridge and "tonight" turn a trafficking story into self-harm', () => {
    const text = 'có bà kia hứa đưa con gái 16t của tui qua Đài Loan lấy chồng, đưa tiền cho ba nó rồi, tối nay xe tới đón ở đầu cầu, con nhỏ khóc ko chịu đi';
    expect(assess(text, [], lexicon)).toMatchObject({ level: 'urgent', category: 'mua-ban-nguoi' });
  });

  it('reads words typed with the Telex keys and no input method', () => {
    expect(level('chongf em ddang caafm dao ddoi gieets em')).toMatchObject({ level: 'urgent', category: 'bao-luc' });
    expect(level('em muoons cheets, khoong muoons soongs nuwax')).toMatchObject({ level: 'urgent', category: 'tu-hai' });
    expect(level('noopj hoof sow trowj caaps qua mangj dduowcj khoong').level).toBe('none');
  });

  it('reads a story that ends by asking what support there is as a question, unless a sign is enough alone', () => {
    const asks = 'Ông ngoại tôi 84 tuổi, không vợ không con, sống một mình, không ai chăm, đi lại khó. Cho hỏi ông vào trung tâm bảo trợ xã hội thì làm thủ tục gì?';
    expect(level(asks).level).not.toBe('urgent');
    const amount = 'Bố tôi 82 tuổi, cả đời làm ruộng nên không có lương hưu, các con ở xa. Nghe nói trên 80 tuổi được nhận tiền hằng tháng, vậy mức tiền là bao nhiêu ạ?';
    expect(level(amount).level).not.toBe('urgent');
    const danger = 'Chồng em đang cầm dao đòi giết em. Cho em hỏi thủ tục ly hôn thế nào?';
    expect(level(danger)).toMatchObject({ level: 'urgent', category: 'bao-luc' });
  });

  it('keeps a hypothesis a hypothesis when only another sentence says something is going on', () => {
    const text = 'Giả sử người già trong xóm bị lẫn đi lạc thì nên báo ở đâu trước, công an hay ủy ban? Tổ dân phố đang soạn hướng dẫn';
    expect(assess(text, [], lexicon).level).not.toBe('urgent');
    expect(assess('Giả sử bà tôi đang đi lạc ngoài chợ thì báo ai?', [], lexicon).level).not.toBe('none');
  });
});

describe('the check-in answer', () => {
  it.each([
    ['Có', 'yes'],
    ['dạ có', 'yes'],
    ['u', 'yes'],
    ['cuu em', 'yes'],
    ['Không', 'no'],
    ['ko, e on', 'no'],
    ['dạ không ạ', 'no'],
    ['mình an toàn mà', 'no'],
    ['không, cứu em với', 'yes'],
    ['trợ cấp người già bao nhiêu', null],
    ['không ai giúp em cả, em cũng chẳng biết phải làm sao với mấy đứa nhỏ nữa', null],
  ] as const)('"%s" → %s', (text, expected) => {
    expect(checkInAnswer(text)).toBe(expected);
  });
});

function conversation(overrides: Partial<Conversation> = {}): Conversation {
  const at = new Date('2026-11-30T08:00:00Z');
  return {
    id: 'c1',
    channel: 'webchat',
    userId: 'u1',
    chatId: 'c1',
    reference: {},
    status: 'bot',
    createdAt: at,
    updatedAt: at,
    lastInboundAt: at,
    risk: null,
    undeliverable: null,
    ...overrides,
  };
}

function turn(text: string, overrides: Partial<TurnInput> = {}): TurnInput {
  return { text, conversation: conversation(), messageId: 'm1', position: 3, earlier: async () => [], memory: {}, now: new Date('2026-11-30T08:05:00Z'), ...overrides };
}

const passed: Effect[] = [{ type: 'audit', action: 'next-step-ran' }];
const next = async () => passed;
const step = triageStep({ lexicon, centre });
const types = (effects: Effect[]) => effects.map((e) => e.type);
const checkIn: ConversationRisk = { level: 'check-in', category: 'tu-hai', at: new Date('2026-11-30T08:04:00Z'), messageId: 'm0' };

describe('the triage step', () => {
  it('raises, queues first, records the vital-interest exception, then replies', async () => {
    const effects = await step(turn('e dang ngoi tren lan can tang 12, ko muon ai khuyen nua'), next);
    expect(types(effects)).toEqual(['raise-risk', 'request-handoff', 'audit', 'remember', 'reply']);
    expect(effects[0]).toMatchObject({ level: 'urgent', category: 'tu-hai' });
    expect(effects[1]).toMatchObject({ priority: HANDOFF_PRIORITY.urgent, reason: 'risk' });
    expect(effects[2]).toMatchObject({ action: 'consent.exception.vital-interest' });
    const reply = (effects[4] as Extract<Effect, { type: 'reply' }>).reply.text;
    expect(reply.split('\n')[0]).toBe('Mình đang ở đây với bạn. Bạn có đang an toàn không?');
    expect(reply).toContain('0000 111 222');
  });

  it('follows the safety reply with the answer from the knowledge base to a question in the same message, never for self-harm', async () => {
    const answer: Effect[] = [
      { type: 'reply', reply: { text: 'Bạn hãy gọi Tổng đài quốc gia bảo vệ trẻ em 111…', choices: [] } },
      { type: 'faq', kind: 'answer', topic: 'bao-ve-tre-em', entryId: 'bvte-bao-tin', confidence: 0.97, referral: null },
    ];
    const answers = async () => answer;
    const report = await step(turn('đứa nhỏ nhà bên bị ba nó say xỉn đánh hoài, báo ở đâu ạ'), answers);
    expect(types(report)).toEqual(['raise-risk', 'request-handoff', 'audit', 'remember', 'reply', 'reply', 'faq']);
    expect((report[4] as Extract<Effect, { type: 'reply' }>).reply.text).toMatch(/111/);
    // Self-harm: the person is stayed with, not given reading.
    expect(types(await step(turn('e dang ngoi tren lan can tang 12, ko muon ai khuyen nua'), answers))).toEqual(['raise-risk', 'request-handoff', 'audit', 'remember', 'reply']);
    // Anything but an answer (a decline, a clarifying question, an intake step) is dropped.
    const declines: Effect[] = [
      { type: 'reply', reply: { text: 'Xin lỗi, câu này mình chưa có thông tin chắc chắn…', choices: [] } },
      { type: 'faq', kind: 'decline', topic: null, entryId: null, confidence: 0.1, referral: null },
    ];
    expect(types(await step(turn('chồng em đang đánh em, cứu em'), async () => declines))).toEqual(['raise-risk', 'request-handoff', 'audit', 'remember', 'reply']);
  });

  it('never lets the answer after a safety reply delay it for long or fail it', async () => {
    const quick = triageStep({ lexicon, centre, answerWaitMs: 20 });
    const report = 'đứa nhỏ nhà bên bị ba nó say xỉn đánh hoài, báo ở đâu ạ';
    const urgentOnly = ['raise-risk', 'request-handoff', 'audit', 'remember', 'reply'];
    // An answer that never comes (an LLM that hangs) and one that fails: the safety reply goes out alone.
    expect(types(await quick(turn(report), () => new Promise<Effect[]>(() => {})))).toEqual(urgentOnly);
    expect(types(await quick(turn(report), () => Promise.reject(new Error('phraser down'))))).toEqual(urgentOnly);
  });

  it('alerts the counsellor and stays quiet while a counsellor holds the conversation', async () => {
    const effects = await step(turn('chồng em đang đánh em, cứu em', { conversation: conversation({ status: 'assigned' }) }), next);
    expect(types(effects)).not.toContain('reply');
    expect(effects).toContainEqual(expect.objectContaining({ type: 'request-handoff', priority: HANDOFF_PRIORITY.urgent }));
  });

  it('asks one direct question on ambiguous distress', async () => {
    const effects = await step(turn('dạo này em thấy cái gì cũng vô ích'), next);
    expect(types(effects)).toEqual(['raise-risk', 'reply']);
    expect(effects[0]).toMatchObject({ level: 'check-in', category: 'tu-hai' });
    expect((effects[1] as Extract<Effect, { type: 'reply' }>).reply.choices).toEqual(['Có', 'Không']);
  });

  it('makes a check-in urgent on "yes" and on any further sign', async () => {
    const pending = conversation({ risk: checkIn });
    expect(await step(turn('có', { conversation: pending }), next)).toContainEqual(
      expect.objectContaining({ type: 'raise-risk', level: 'urgent', category: 'tu-hai' }),
    );
    expect(await step(turn('em mệt mỏi lắm rồi', { conversation: pending }), next)).toContainEqual(
      expect.objectContaining({ type: 'raise-risk', level: 'urgent' }),
    );
  });

  it('clears a check-in on "no" and then lets later messages start afresh', async () => {
    const effects = await step(turn('không, mình ổn', { conversation: conversation({ risk: checkIn }) }), next);
    expect(types(effects)).toEqual(['clear-check-in', 'remember', 'audit', 'reply']);
    expect(effects[1]).toEqual({ type: 'remember', patch: { riskResetAfter: 3 } });
  });

  it('passes anything else on to the next step', async () => {
    expect(await step(turn('tro cap nguoi gia bao nhieu'), next)).toBe(passed);
    expect(await step(turn('tro cap nguoi gia bao nhieu', { conversation: conversation({ risk: checkIn }) }), next)).toBe(passed);
    expect(await step(turn(''), next)).toBe(passed);
  });
});

describe('the optional LLM second opinion', () => {
  it('may raise a level, never lower one', async () => {
    const raising = new LlmSecondOpinion(new FakeListChatModel({ responses: ['{"level": "urgent", "category": "bao-luc"}'] }));
    const calm = assess('tro cap nguoi gia bao nhieu', [], lexicon);
    expect(raiseOnly(calm, await raising.review('...', []))).toMatchObject({ level: 'urgent', category: 'bao-luc' });

    const lowering = new LlmSecondOpinion(new FakeListChatModel({ responses: ['{"level": "none", "category": null}'] }));
    const urgent = assess('tui muốn chết cho rồi', [], lexicon);
    expect(raiseOnly(urgent, await lowering.review('...', []))).toBe(urgent);
  });

  it('is ignored when the model answers nonsense or fails', async () => {
    expect(parseOpinion('Tôi nghĩ là khẩn cấp')).toBeNull();
    expect(parseOpinion('{"level": "very", "category": null}')).toBeNull();
    const failing = new LlmSecondOpinion(new FakeListChatModel({ responses: [] }));
    const errors: unknown[] = [];
    const quiet = new LlmSecondOpinion(
      { invoke: async () => Promise.reject(new Error('down')) } as unknown as FakeListChatModel,
      (e) => errors.push(e),
    );
    expect(await quiet.review('x', [])).toBeNull();
    expect(errors).toHaveLength(1);
    void failing;
  });

  it('raises through the triage step', async () => {
    const secondOpinion = new LlmSecondOpinion(new FakeListChatModel({ responses: ['{"level": "check-in", "category": null}'] }));
    const effects = await triageStep({ lexicon, centre, secondOpinion })(turn('tro cap nguoi gia bao nhieu'), next);
    expect(effects[0]).toMatchObject({ type: 'raise-risk', level: 'check-in' });
  });
});

describe('an unanswered check-in', () => {
  it('becomes urgent once, at the head of the queue, after the configured time', async () => {
    const store = openSqliteStore(mkdtempSync(join(tmpdir(), 'ctxh-escalate-')));
    const t0 = new Date('2026-11-30T08:00:00Z');
    const c = await store.conversations.upsert({ channel: 'telegram', userId: 'u', chatId: 'c' }, {}, t0);
    await store.conversations.raiseRisk(c.id, { level: 'check-in', category: 'tu-hai', at: t0, messageId: 'm1' }, t0);
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    expect(await escalateDueCheckIns(store, handoffOver(store), { now: at(60), afterMs: 180_000 })).toBe(0);
    expect(await escalateDueCheckIns(store, handoffOver(store), { now: at(181), afterMs: 180_000 })).toBe(1);
    expect(await escalateDueCheckIns(store, handoffOver(store), { now: at(240), afterMs: 180_000 })).toBe(0);
    expect((await store.conversations.get(c.id))?.risk).toMatchObject({ level: 'urgent', category: 'tu-hai' });
    expect(await store.tickets.findOpenByConversation(c.id)).toMatchObject({ priority: HANDOFF_PRIORITY.urgent, reason: 'risk' });
    expect((await store.conversations.get(c.id))?.status).toBe('queued');
    await store.close();
  });
});

function readSet(file: string): Array<{ text: string; risk: string | null }> {
  return readFileSync(join(import.meta.dirname, 'fixtures', 'eval', file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('the acceptance bar', () => {
  it('never flags an ordinary policy question from the FAQ evaluation sets urgent, and rarely checks in', () => {
    const questions = ['faq-sample.jsonl', 'faq-tuning.jsonl', 'faq-fresh.jsonl'].flatMap(readSet);
    const levels = questions.map(({ text }) => ({ text, level: assess(text, [], lexicon).level }));
    expect(levels.filter((l) => l.level === 'urgent')).toEqual([]);
    // A check-in there costs the citizen one question after their answer; keep it rare.
    expect(levels.filter((l) => l.level === 'check-in').length).toBeLessThanOrEqual(Math.ceil(questions.length * 0.03));
  });

  it('flags every urgent line of the sample urgent with its category, and no control', () => {
    for (const { text, risk } of readSet('risk-sample.jsonl')) {
      const a = assess(text, [], lexicon);
      if (risk) expect({ text, level: a.level, category: a.category }).toEqual({ text, level: 'urgent', category: risk });
      else expect({ text, level: a.level }).not.toEqual({ text, level: 'urgent' });
    }
  });
});

describe('the learned reader', () => {
  const words = (t: string) => t.toLowerCase().split(/\s+/);
  const model = trainRiskModel(
    [
      { text: 'dây thòng lọng làm xong rồi', risk: 'tu-hai' },
      { text: 'tui ra sông đây đừng kiếm tui', risk: 'tu-hai' },
      { text: 'chồng đang đập cửa đòi chém', risk: 'bao-luc' },
      { text: 'trợ cấp người già bao nhiêu', risk: null },
      { text: 'xin giấy xác nhận khuyết tật ở đâu', risk: null },
    ],
    words,
  );

  it('learns categories from labelled examples', () => {
    expect(model.size).toBe(5);
    expect(model.predict(words('dây thòng lọng xong rồi')).category).toBe('tu-hai');
    expect(model.predict(words('trợ cấp khuyết tật bao nhiêu')).category).toBeNull();
  });

  it('learns the same way every time', () => {
    const again = trainRiskModel([{ text: 'dây thòng lọng làm xong rồi', risk: 'tu-hai' }, { text: 'trợ cấp người già bao nhiêu', risk: null }], words);
    const once = trainRiskModel([{ text: 'dây thòng lọng làm xong rồi', risk: 'tu-hai' }, { text: 'trợ cấp người già bao nhiêu', risk: null }], words);
    expect(again.predict(words('dây làm xong'))).toEqual(once.predict(words('dây làm xong')));
  });

  it('keeps a calm question calm and a cry for help urgent', () => {
    expect(assess('mẹ tôi 80 tuổi được trợ cấp bao nhiêu', [], lexicon).level).toBe('none');
    expect(assess('tui muốn chết cho rồi', [], lexicon).level).toBe('urgent');
    expect(lexicon.model?.size).toBeGreaterThan(500);
  });

  it('asks first, instead of alarming, about a long message it is sure is calm', () => {
    // A reader that has read this kind of joke many times as a calm message.
    const joke = 'tui muốn chết luôn á, thua bảy trận liền rồi, mai leo rank tiếp nha mấy ní';
    const tokens = (t: string) => triageTokens(t, lexicon.wordMap, lexicon.vocabulary).map((w) => w.f);
    const reader = trainRiskModel(
      [
        ...['thua bảy trận liền rồi, mai leo rank tiếp nha', 'muốn chết luôn á mấy ní, leo rank mệt quá', joke].map((text) => ({ text, risk: null })),
        { text: 'tui uống hết vỉ thuốc ngủ rồi, tạm biệt', risk: 'tu-hai' as const },
        { text: 'chồng đang cầm dao đòi chém em', risk: 'bao-luc' as const },
      ],
      tokens,
    );
    const phrases = { ...lexicon, model: undefined };
    const withReader = { ...lexicon, model: reader };
    expect(assess(joke, [], phrases).level).toBe('urgent');
    expect(assess(joke, [], withReader)).toMatchObject({ level: 'check-in', category: 'tu-hai' });
    expect(assess(joke, [], withReader).reasons).toContain('model:calm');
    // A further sign makes it urgent, as for any check-in: the calmed message still brings its half.
    const half = 'dạo này em thấy cái gì cũng vô ích';
    expect(assess(half, [], withReader).level).toBe('check-in');
    expect(assess(half, [joke], withReader)).toMatchObject({ level: 'urgent', fromContext: true });
    // Without calmAt the reader never lowers.
    const never = { ...withReader, rules: { ...lexicon.rules, model: { ...lexicon.rules.model!, calmAt: undefined } } };
    expect(assess(joke, [], never).level).toBe('urgent');
  });

  it('leaves short messages to the phrases, both ways', () => {
    // "e muon chetttt" reads like the many "mệt muốn chết" the reader has seen: too few words to calm it.
    for (const text of ['e muon chetttt', 'sao không chết quách cho rồi']) expect(assess(text, [], lexicon).level).toBe('urgent');
    // And too few to raise one on the reader's word alone.
    expect(assess('ck e cầm dao vô bếp nấu cháo gà r', [], lexicon).level).not.toBe('urgent');
  });

  it('reads a phone number as no words at all', () => {
    // An intake answer: its digit groups used to count as words and let the reader raise it alone.
    const intake = 'mẹ tôi ở một mình, số của mẹ 0912 345 678';
    expect(scoreMessage(intake, lexicon).words).toBe(scoreMessage('mẹ tôi ở một mình, số của mẹ', lexicon).words);
    expect(assess(intake, [], lexicon).level).not.toBe('urgent');
    // Short numbers are words: an emergency line, an age, an hour.
    expect(scoreMessage('gọi 115 giúp, bà 80 tuổi', lexicon).words).toBe(6);
  });

  it('reads the words a pattern is written in through the word map, as it reads messages', () => {
    // Messages become "tôi" whether typed "tui" or "tôi": a pattern written "(tui)" must too.
    const index = new PhraseIndex<true>();
    index.add(mapPatternWords(compilePattern('họ đuổi (tui)'), (w) => lookUp(lexicon.wordMap, w)), true);
    const hits = (t: string) => index.matches(triageTokens(t, lexicon.wordMap, lexicon.vocabulary)).length;
    expect(hits('giờ họ đuổi tui')).toBe(1);
    expect(hits('giờ họ đuổi tôi')).toBe(1);
    expect(hits('giờ họ đuổi nó')).toBe(0);
    // Unmapped, the pattern met neither.
    const raw = new PhraseIndex<true>();
    raw.add(compilePattern('họ đuổi (tui)'), true);
    expect(raw.matches(triageTokens('giờ họ đuổi tui', lexicon.wordMap, lexicon.vocabulary)).length).toBe(0);
  });

  it('reads "k" after a number as a thousand, not as "không"', () => {
    const tokens = (t: string) => triageTokens(t, lexicon.wordMap, lexicon.vocabulary).map((w) => w.f);
    expect(tokens('thua 500k muốn chết')).toEqual(['thua', '500', 'nghin', 'muon', 'chet']);
    // "500 không muốn chết" had cancelled the sign after it.
    expect(scoreMessage('thua độ mất 500k muốn chết luôn cho rồi', lexicon).matched).toContain('tu-hai/noi-thang');
    // Anywhere else "k" is still "không".
    expect(tokens('e k muốn sống')).toEqual(['em', 'khong', 'muon', 'song']);
  });

  it('reads a voice-typed message that lost its tones as typed without diacritics, and keeps tones that were typed', () => {
    const words = (t: string) => triageTokens(t, lexicon.wordMap, lexicon.vocabulary);
    // "hêt" ends in t with no tone, which Vietnamese never writes: the tones were lost.
    const lost = words('đêm nay tôi uông hêt chỗ thuốc');
    expect(lost.find((w) => w.f === 'uong')?.s).toBeNull();
    expect(lost.find((w) => w.f === 'thuoc')?.s).not.toBeNull();
    // Every shaped word without a tone: read as typed without diacritics.
    expect(words('chông tôi vưa đên đây').every((w) => w.s === null)).toBe(true);
    // Typed with tones, a word keeps them ("đăng ký" is not "đang").
    expect(words('tôi muốn đăng ký').find((w) => w.f === 'dang')?.s).not.toBeNull();
    expect(assess('tôi thây mêt môi quá, đêm nay tôi uông hêt chỗ thuốc ngủ cho xong', [], lexicon)).toMatchObject({ level: 'urgent', category: 'tu-hai' });
  });

  it('reads a word typed with a wrong tone as the word meant, only as typed', () => {
    const words = (t: string) => triageTokens(t, lexicon.wordMap, lexicon.vocabulary);
    // "dánh" is no word: typed for "đánh"; "danh" without any mark stays "danh" (danh sách).
    expect(words('bà đang bị con dâu dánh')[5]).toMatchObject({ f: 'danh', s: words('đánh')[0]!.s });
    expect(words('danh sách hộ nghèo')[0]!.s).toBeNull();
    expect(assess('bà Tư đang bị con dâu dánh bằng cán chổi, bà nằm một góc kêu cứu', [], lexicon)).toMatchObject({ level: 'urgent', category: 'bao-luc' });
    expect(assess('cho hỏi danh sách hộ nghèo năm nay', [], lexicon).level).toBe('none');
  });

  it('reads a plain "ba" among toned words as a father, and a message typed without marks as before', () => {
    expect(assess('mai em đi gặp ba ở bệnh viện', [], lexicon).level).toBe('none');
    expect(assess('tui nhớ bả quá, tối nay chắc đi theo bả cho rồi', [], lexicon)).toMatchObject({ level: 'urgent', category: 'tu-hai' });
    // Typed without any diacritics, "ba" is still either.
    expect(triageTokens('toi nay chac di theo ba cho roi', lexicon.wordMap, lexicon.vocabulary).find((w) => w.f === 'ba')?.s).toBeNull();
  });

  it('refuses a wrong-tone entry written without marks, naming it', () => {
    // "danh: đánh" would read every "danh sách" as a beating.
    const dir = mkdtempSync(join(tmpdir(), 'lexicon-'));
    cpSync(DEFAULT_LEXICON_DIR, dir, { recursive: true });
    const words = readFileSync(join(dir, '_words.yaml'), 'utf8');
    writeFileSync(join(dir, '_words.yaml'), words.replace('mistyped:\n', 'mistyped:\n  danh: đánh\n'));
    expect(() => loadLexicon(dir)).toThrow(/mistyped\.danh: phải viết có dấu/);
  });

  it('does not overrule a category\'s own mask on its own', () => {
    // bo-roi's reviewed mask says a lost or unfed animal is not an abandoned person; the
    // reader, which has read many "bỏ rơi … không ai cho ăn" lines, may not raise it alone.
    const dog = 'Con chó nhà hàng xóm bị bỏ rơi, mấy ngày nay không ai cho ăn, tui cho nó ăn đỡ được không';
    expect(scoreMessage(dog, lexicon).maskedBy).toContain('bo-roi');
    expect(assess(dog, [], lexicon).level).not.toBe('urgent');
    expect(assess('Bà cụ hàng xóm bị con cái bỏ rơi, mấy ngày nay không ai cho ăn, nằm một mình trong chòi', [], lexicon)).toMatchObject({ level: 'urgent', category: 'bo-roi' });
  });
});
