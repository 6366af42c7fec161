import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswerPipeline } from '../src/flows/answer.js';
import { questionWithoutContactDetails } from '../src/flows/contact-details.js';
import { namesOurPeople } from '../src/flows/our-people.js';
import { isUmbrellaQuestion } from '../src/flows/vague-question.js';
import { CHOICE_COUNSELLOR } from '../src/flows/replies.js';
import { KnowledgeBase } from '../src/kb/knowledge-base.js';
import { loadConfig } from '../src/server/config.js';

const kb = KnowledgeBase.fromDirectory(join(import.meta.dirname, '..', 'knowledge'));
const defaults = loadConfig({});
const thresholds = { answer: defaults.FAQ_ANSWER_THRESHOLD, clarify: defaults.FAQ_CLARIFY_THRESHOLD };
const centre = { name: 'Trung tâm CTXH tỉnh Thử Nghiệm', hotline: '0000 111 222', hours: '7h30–17h thứ Hai đến thứ Sáu' };
const pipeline = new AnswerPipeline({ kb, centre, thresholds });

describe('answer pipeline', () => {
  it('answers with the entry, its source and the centre facts filled in', async () => {
    const r = await pipeline.answer('so dien thoai trung tam la gi');
    expect(r.kind).toBe('answer');
    expect(r.topic).toBe('lien-he');
    expect(r.reply.text).toContain('0000 111 222');
    expect(r.reply.text).not.toMatch(/\{\{/);
    expect(r.reply.text).toMatch(/Nguồn: .+\(thông tin rà soát ngày \d{2}\/\d{1,2}\/\d{4}\)/);
    expect(r.reply.choices).toContain(CHOICE_COUNSELLOR);
  });

  it('reads a question without the phone number added to it, which no entry holds', async () => {
    const plain = await pipeline.answer('hỏi trợ cấp người già');
    expect(plain).toMatchObject({ kind: 'answer', topic: 'tro-cap-nguoi-cao-tuoi' });
    for (const text of [
      'hỏi trợ cấp người già, sdt 0987 654 321',
      'hoi tro cap nguoi gia, so dt cua em la 0912.345.678 a',
      'Zalo: 0912345678. Hỏi trợ cấp người già',
    ]) {
      const r = await pipeline.answer(text);
      expect(r, text).toMatchObject({ kind: 'answer', topic: 'tro-cap-nguoi-cao-tuoi', entryId: plain.entryId });
    }
    // Asking for the centre's number is a question, not a number given.
    expect(await pipeline.answer('số điện thoại của trung tâm là gì')).toMatchObject({ kind: 'answer', topic: 'lien-he' });
  });

  it.each([
    ['hỏi trợ cấp người già, sdt 0987 654 321', 'hỏi trợ cấp người già'],
    ['Mẹ tôi 80 tuổi, zalo: 0912.345.678, xin hỏi thủ tục', 'Mẹ tôi 80 tuổi, xin hỏi thủ tục'],
    // An ID card's label stays: the question is about the card.
    ['cccd 001234567890 mất thì làm lại ở đâu', 'cccd mất thì làm lại ở đâu'],
    ['mức 1.500.000 đồng có đúng không', 'mức 1.500.000 đồng có đúng không'],
    ['số điện thoại của trung tâm là gì', 'số điện thoại của trung tâm là gì'],
  ])('reads "%s" as "%s": only the personal number and its label go', (text, question) => {
    expect(questionWithoutContactDetails(text)).toBe(question);
  });

  it('declines a question outside every topic and offers a counsellor', async () => {
    for (const text of ['giá vàng hôm nay bao nhiêu', 'lich cup dien ngay mai']) {
      const r = await pipeline.answer(text);
      expect(r.topic, text).toBeNull();
      expect(r.reply.text).toMatch(/chưa có thông tin chắc chắn/);
      expect(r.reply.choices).toContain(CHOICE_COUNSELLOR);
    }
  });

  it('tells who handles another office’s business, grounded in none of our entries', async () => {
    for (const [text, office] of [
      ['lam ho chieu o dau', /công an/i],
      ['Mẹ tôi bị mất giấy chứng nhận quyền sử dụng đất, xin cấp lại thì làm ở đâu ạ?', /UBND/],
    ] as const) {
      const r = await pipeline.answer(text);
      expect(r, text).toMatchObject({ kind: 'referral', topic: null });
      expect(r.referral, text).toMatch(office);
      expect(r.reply.text, text).not.toMatch(/Nguồn: /);
      expect(r.reply.choices).toContain(CHOICE_COUNSELLOR);
    }
  });

  it('answers another office’s business from our entry when the citizen is one of ours, and refers the rest', async () => {
    // The health insurance card of someone on a monthly allowance is paid by the State: ours.
    expect(await pipeline.answer('bố tôi đang nhận trợ cấp người cao tuổi, thẻ bảo hiểm hết hạn thì gia hạn ở đâu')).toMatchObject({ kind: 'answer', topic: 'bao-hiem-y-te' });
    // Named as ours, but nothing of ours answers it: still the other office.
    for (const [text, office] of [
      ['con nhà hộ nghèo đăng ký vào lớp 1 cần giấy gì', /trường/i],
      ['người khuyết tật muốn đổi bằng lái xe', /công an/i],
    ] as const) {
      const r = await pipeline.answer(text);
      expect(r, text).toMatchObject({ kind: 'referral', topic: null });
      expect(r.referral, text).toMatch(office);
    }
  });

  it.each([
    ['ho can ngheo thi con di hoc co duoc mien giam hoc phi khong', true],
    ['Ba tôi đang hưởng trợ cấp người khuyết tật', true],
    ['cháu mồ côi cả cha lẫn mẹ', true],
    ['lương hưu tháng này lãnh ở đâu', false],
    ['trợ cấp thất nghiệp nộp hồ sơ ở đâu', false],
    ['thẻ bảo hiểm y tế cấp cho người được trợ cấp khám tuyến trên được không', true],
    ['thang nay ong toi chua nhan duoc tien tro cap', true],
    ['đang hưởng trợ cấp thất nghiệp thì học nghề được không', false],
    ['bố tôi lĩnh lương hưu mà mất thì nhận trợ cấp mai táng ở bảo hiểm xã hội cần gì', false],
  ])('names one of the centre’s own people: %s → %s', (text, ours) => {
    expect(namesOurPeople(text)).toBe(ours);
  });

  it('asks which help is meant when a question names help in general, with main questions a tap answers', async () => {
    for (const text of ['tro cap', 'chế độ', 'cho hỏi về tiền hỗ trợ', 'trợ cấp xã hội']) {
      const r = await pipeline.answer(text);
      expect(r, text).toMatchObject({ kind: 'clarify', topic: null });
      const options = r.reply.choices!.filter((c) => c !== CHOICE_COUNSELLOR);
      expect(options.length, text).toBeGreaterThanOrEqual(2);
      for (const option of options) {
        const entry = kb.entries.find((e) => e.questions[0] === option);
        expect(entry, option).toBeDefined();
        expect(await pipeline.answer(option)).toMatchObject({ kind: 'answer', entryId: entry!.id });
      }
    }
    // Naming which help is a question, not help in general.
    expect(await pipeline.answer('trợ cấp người khuyết tật nặng bao nhiêu')).toMatchObject({ kind: 'answer', topic: 'tro-cap-nguoi-khuyet-tat' });
  });

  it.each([
    ['hỏi về tiền hỗ trợ', true],
    ['chinh sach nha nuoc', true],
    ['trợ cấp người cao tuổi', false],
    ['hỗ trợ mai táng', false],
    ['alo', false],
    ['tôi cần giúp', true],
    ['giup em voi', true],
    ['cho hỏi', false],
  ])('reads help in general: %s → %s', (text, umbrella) => {
    expect(isUmbrellaQuestion(text)).toBe(umbrella);
  });

  it('asks which topic was meant in the middle band, and a tapped option is answered by its entry', async () => {
    const unsure = new AnswerPipeline({ kb, centre, thresholds: { answer: 0.999, clarify: 0.01 } });
    const r = await unsure.answer('tro cap nguoi gia');
    expect(r.kind).toBe('clarify');
    const options = r.reply.choices.filter((c) => c !== CHOICE_COUNSELLOR);
    expect(options.length).toBeGreaterThanOrEqual(2);
    expect(options.length).toBeLessThanOrEqual(3);
    for (const option of options) {
      // The option is one of its entry's phrasings, the one nearest the citizen's words; a tap answers from that entry at once.
      const tapped = await unsure.answer(option);
      expect(tapped, option).toMatchObject({ kind: 'answer', confidence: 1 });
      expect(kb.get(tapped.entryId!)?.questions).toContain(option);
    }
    // In the citizen's own words where an entry has them: unaccented, like the question.
    expect(options.some((o) => o === o.normalize('NFD').replace(/[\u0300-\u036f]/g, ''))).toBe(true);
  });

  it('queues a request for a person instead of explaining how to ask', async () => {
    for (const text of ['Gặp tư vấn viên', 'cho tui nói chuyện với người thật', 'gap tu van vien']) {
      const r = await pipeline.answer(text);
      expect(r.kind, text).toBe('counsellor');
      expect(r.topic).toBe('gap-tu-van-vien');
      expect(r.handoff).toBe(true);
      expect(r.reply.text).toContain('Tư vấn viên sẽ nhắn lại bạn ngay trong khung chat này (7h30–17h thứ Hai đến thứ Sáu)');
      expect(r.reply.text).toContain('0000 111 222');
    }
  });

  it('greets without searching or queueing', async () => {
    const r = await pipeline.answer('alo');
    expect(r.kind).toBe('greeting');
    expect(r.reply.text).toContain(centre.name);
    expect(r.handoff).toBe(false);
  });

  it('gives an increasing confidence to closer questions', async () => {
    const vague = await pipeline.answer('hỏi chút');
    const precise = await pipeline.answer('Người khuyết tật đặc biệt nặng được trợ cấp bao nhiêu tiền mỗi tháng?');
    expect(precise.confidence).toBeGreaterThan(vague.confidence);
    expect(precise.topic).toBe('tro-cap-nguoi-khuyet-tat');
  });
});
