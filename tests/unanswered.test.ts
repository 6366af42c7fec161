/**
 * The unanswered inbox's pure rules (src/kb/unanswered.ts) on realistic Vietnamese, with
 * and without diacritics: what is masked before anything is kept, which wordings are the
 * same question, which group a new one joins; and the FAQ step's choice of what to record.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswerPipeline } from '../src/flows/answer.js';
import type { Effect, TurnInput } from '../src/flows/chain.js';
import { faqStep } from '../src/flows/steps/faq-step.js';
import { KnowledgeBase } from '../src/kb/knowledge-base.js';
import { SAME_QUESTION, asPhrasing, chooseGroup, maskForInbox, questionTerms, similarity } from '../src/kb/unanswered.js';

const sim = (a: string, b: string) => similarity(questionTerms(maskForInbox(a)), questionTerms(maskForInbox(b)));

describe('maskForInbox', () => {
  it('masks phone and ID numbers however they are written, whole', () => {
    expect(maskForInbox('sdt 0912 345 678, cccd 001234567890')).toBe('sdt ***, cccd ***');
    expect(maskForInbox('gọi em số +84 912.345.678 nha')).toBe('gọi em số *** nha');
    expect(maskForInbox('so tk 1234567890123 ngan hang')).toBe('so tk *** ngan hang');
    for (const masked of [maskForInbox('đt 0912-345-678'), maskForInbox('(+84)912345678 ạ')]) {
      expect(masked).not.toMatch(/\d{3}/);
    }
  });

  it('keeps ages, amounts and dates, which are the question', () => {
    expect(maskForInbox('mẹ tôi 82 tuổi, trợ cấp 500.000 đồng từ 01/7/2025')).toBe('mẹ tôi 82 tuổi, trợ cấp 500.000 đồng từ 01/7/2025');
  });

  it('masks emails and names after the words that introduce them, with or without diacritics', () => {
    expect(maskForInbox('email của tôi là an.nguyen@gmail.com')).toBe('email của tôi là [email]');
    expect(maskForInbox('Tên tôi là Nguyễn Văn An, 45 tuổi')).toBe('Tên tôi là [tên], 45 tuổi');
    expect(maskForInbox('ten toi la nguyen van an o xa binh my')).toBe('ten toi la [tên] o xa binh my');
    expect(maskForInbox('tui tên Tư, muốn hỏi trợ cấp')).toBe('tui tên [tên], muốn hỏi trợ cấp');
    expect(maskForInbox('con tên bé Na năm nay 5 tuổi')).toBe('con tên [tên] năm nay 5 tuổi');
    expect(maskForInbox('Chào ad, em là Trần Thị Hoa. Cho em hỏi')).toBe('Chào ad, em là [tên]. Cho em hỏi');
  });

  it('leaves "tôi là" alone when what follows is who they are, not their name', () => {
    expect(maskForInbox('tôi là mẹ đơn thân nuôi 2 con')).toBe('tôi là mẹ đơn thân nuôi 2 con');
    expect(maskForInbox('em là người khuyết tật nặng')).toBe('em là người khuyết tật nặng');
  });
});

describe('same question, other words', () => {
  const loans = [
    'Muốn vay vốn buôn bán làm ăn thì phải làm sao?',
    'nha ngheo, muon vay von lam an thi lam sao, sdt 0912 345 678',
    'Cho hỏi vay vốn ngân hàng chính sách để buôn bán làm ăn thì làm thủ tục ở đâu?',
  ];
  const others = [
    'Nghỉ thai sản được mấy tháng?',
    'Trung tâm có chỗ gửi xe máy không?',
    'làm lại bằng lái xe máy ở đâu',
    'hộ nghèo được miễn học phí không',
    'giá vàng hôm nay bao nhiêu',
  ];

  it('finds the same terms with and without diacritics', () => {
    expect(questionTerms('Muốn vay vốn buôn bán làm ăn')).toEqual(questionTerms('muon vay von buon ban lam an'));
    expect(questionTerms('Hộ nghèo có được vay vốn làm ăn không?')).toEqual(expect.arrayContaining(['ngheo', 'von', 'ho_ngheo', 'vay_von', 'lam_an']));
    // Particles, everyday words and masks are not what a question is about.
    expect(questionTerms('ok, cảm ơn ad nhé')).toEqual([]);
    expect(questionTerms('sdt ***, tên tôi là [tên]')).toEqual([]);
  });

  it('puts three wordings of one question together and an unrelated question apart', () => {
    for (const a of loans) for (const b of loans) expect(sim(a, b)).toBeGreaterThanOrEqual(SAME_QUESTION);
    for (const a of loans) for (const b of others) expect(sim(a, b)).toBeLessThan(SAME_QUESTION);
    expect(sim('Đi xe buýt số mấy thì tới được trung tâm?', 'có tuyến xe buýt nào chạy ngang trung tâm ko')).toBeGreaterThanOrEqual(SAME_QUESTION);
    expect(sim('Trung tâm có chỗ gửi xe máy không?', 'Đi xe buýt số mấy thì tới được trung tâm?')).toBeLessThan(SAME_QUESTION);
  });

  it('chooses the most similar open group over the threshold, else none', () => {
    const at = new Date('2026-12-01T03:00:00Z');
    const groups = [...others, loans[0]!].map((q, i) => ({ id: `g${i}`, terms: questionTerms(maskForInbox(q)), lastSeen: at }));
    expect(chooseGroup(questionTerms(maskForInbox(loans[1]!)), groups)?.id).toBe(`g${others.length}`);
    expect(chooseGroup(questionTerms(maskForInbox('tuyến xe buýt tới trung tâm')), groups)).toBeNull();
    expect(chooseGroup(questionTerms('vay von'), [])).toBeNull();
  });

  it('turns a sample into a plain question for an entry', () => {
    expect(asPhrasing(maskForInbox(loans[1]!))).toBe('nha ngheo, muon vay von lam an thi lam sao');
    expect(asPhrasing(maskForInbox('Chào, tôi là Lan. Hộ nghèo vay vốn được không?'))).toBe('Chào. Hộ nghèo vay vốn được không?');
  });
});

describe('the FAQ step records what it could not answer', () => {
  const kb = KnowledgeBase.fromDirectory(resolve('knowledge'));
  const pipeline = new AnswerPipeline({ kb, centre: { name: 'Trung tâm' }, thresholds: { answer: 0.5, clarify: 0.42 } });
  const step = faqStep(pipeline);
  const turn = (text: string, risk: TurnInput['conversation']['risk'] = null): TurnInput => ({
    text,
    conversation: { id: 'c', channel: 'webchat', userId: 'u', chatId: 'c', reference: {}, status: 'bot', createdAt: new Date(), updatedAt: new Date(), lastInboundAt: null, risk, undeliverable: null },
    messageId: null,
    position: 1,
    earlier: async () => [],
    memory: {},
    now: new Date(),
  });
  const recorded = async (t: TurnInput) => ((await step(t, async () => [])) as Effect[]).filter((e) => e.type === 'record-unanswered');

  it('records a declined question as typed (masked later, in effects.ts), and not an answered one or a button', async () => {
    expect(await recorded(turn('Nghỉ thai sản được mấy tháng?'))).toEqual([{ type: 'record-unanswered', text: 'Nghỉ thai sản được mấy tháng?', kind: 'declined' }]);
    expect(await recorded(turn('tro cap nguoi khuyet tat nang bao nhieu'))).toEqual([]);
    expect(await recorded(turn('Hỏi câu khác'))).toEqual([]);
    expect(await recorded(turn('alo'))).toEqual([]);
  });

  it('records a clarified question as clarified, and nothing from a conversation at risk', async () => {
    expect(await recorded(turn('cho hỏi về trợ cấp, sdt 0912 345 678'))).toEqual([
      expect.objectContaining({ kind: 'clarified' }),
    ]);
    const risk = { level: 'check-in' as const, category: null, at: new Date(), messageId: null };
    expect(await recorded(turn('Nghỉ thai sản được mấy tháng?', risk))).toEqual([]);
  });
});
