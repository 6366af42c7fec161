/**
 * The fact check behind LLM phrasing (src/kb/fact-check.ts, used by validatePhrasing):
 * a phrased reply may restate an amount, age, date or coefficient only for the group the
 * entries give it to. Cases are built from the shipped knowledge entries, as the model
 * would see them (policy values filled at a fixed day).
 */
import { join } from 'node:path';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import { AnswerPipeline } from '../src/flows/answer.js';
import type { KnowledgeEntry } from '../src/kb/entry.js';
import { checkFacts, describeFactProblem, factsIn, quantitiesIn } from '../src/kb/fact-check.js';
import { KnowledgeBase } from '../src/kb/knowledge-base.js';
import { LlmPhraser, reviewPhrasing, validatePhrasing } from '../src/kb/llm-phrasing.js';
import { loadKnowledge } from '../src/kb/loader.js';
import { loadPolicyValues, withPolicyValues } from '../src/kb/policy-values.js';
import { renderAnswerText, renderCentrePlaceholders } from '../src/kb/render.js';
import { loadConfig } from '../src/server/config.js';

const KNOWLEDGE_DIR = join(import.meta.dirname, '..', 'knowledge');
const centre = { name: 'Trung tâm CTXH thử nghiệm', hotline: '0000 000 000' };
/** A fixed day, so "hiện nay" and rates that ended are judged the same every run. */
const AT = new Date('2026-11-22T03:00:00Z');

const loaded = loadKnowledge(KNOWLEDGE_DIR);
const policy = { values: loadPolicyValues(KNOWLEDGE_DIR).values, at: AT };
const shipped = new Map(loaded.entries.map((e) => [e.id, e]));

/** A shipped entry as the model sees it: policy values and centre details filled in. */
function entry(id: string): KnowledgeEntry {
  const e = shipped.get(id);
  if (!e) throw new Error(`no shipped entry ${id}`);
  const filled = withPolicyValues(e, policy);
  return { ...filled, body: renderCentrePlaceholders(filled.body, centre) };
}

const check = (reply: string, ...ids: string[]) => checkFacts(reply, ids.map(entry), { at: AT });

describe('reading quantities', () => {
  it('normalises the ways an amount is written', () => {
    const values = (text: string) => quantitiesIn(text).map((q) => [q.kind, q.value]);
    for (const text of ['1.000.000 đồng', '1 triệu', '1tr', '1.000 nghìn', 'một triệu đồng', '1000000đ']) {
      expect(values(text), text).toEqual([['money', 1_000_000]]);
    }
    for (const text of ['750.000 đồng', '750 nghìn', '750 ngàn đồng', '750.000đ', '750k', 'bảy trăm năm mươi nghìn đồng']) {
      expect(values(text), text).toEqual([['money', 750_000]]);
    }
    expect(values('1,25 triệu')).toEqual([['money', 1_250_000]]);
    expect(values('1 triệu rưỡi')).toEqual([['money', 1_500_000]]);
  });

  it('reads ages, dates, coefficients, percentages and counts, and leaves legal references and phone numbers alone', () => {
    const read = quantitiesIn(
      'Từ 01/7/2024, người từ 60 đến dưới 80 tuổi, hệ số 1,5, được 100% chi phí; trong 10 ngày làm việc; Nghị định 20/2021/NĐ-CP, Điều 6; gọi 111.',
    ).map((q) => [q.kind, q.value, q.role ?? q.rel ?? '']);
    expect(read).toEqual([
      ['date', 20240701, 'from'],
      ['age', 60, 'lo'],
      ['age', 80, 'hi'],
      ['coefficient', 1.5, ''],
      ['percent', 100, ''],
      ['days', 10, ''],
    ]);
    expect(quantitiesIn('dưới 36 tháng tuổi')[0]).toMatchObject({ kind: 'age', value: 3, role: 'hi' });
    expect(quantitiesIn('người cao tuổi từ 80')[0]).toMatchObject({ kind: 'age', value: 80, role: 'lo' });
  });

  it('attaches each amount of a shipped entry to the words of its own line, its lead-in and its clause head', () => {
    const money = factsIn(entry('nkt-muc-tro-cap-hang-thang').body, 'nkt', { at: AT }).filter((f) => f.quantity.kind === 'money');
    const words = money.map((f) => [f.quantity.value, f.terms.flatMap((t) => (t.type === 'word' && t.axis !== 'bound' && t.axis !== 'time' ? [t.key] : []))]);
    expect(words).toEqual([
      [1_000_000, ['khuyết tật', 'đặc biệt nặng']],
      [750_000, ['khuyết tật', 'nặng']],
      [1_250_000, ['đặc biệt nặng', 'khuyết tật', 'trẻ em', 'người cao tuổi']],
      [1_000_000, ['nặng', 'khuyết tật', 'trẻ em', 'người cao tuổi']],
    ]);
    // The list's lead-in gives every amount its date.
    for (const f of money) expect(f.attachment).toContain('từ 01/7/2024');
  });
});

describe('a phrased reply checked against shipped entries', () => {
  it.each([
    ['the swap in the brief: "nặng" with the "đặc biệt nặng" amount', 'Khuyết tật nặng: 1.000.000 đồng [1].', ['nkt-muc-tro-cap-hang-thang']],
    ['the same swap without diacritics and as "1tr"', 'khuyet tat nang duoc 1tr moi thang [1]', ['nkt-muc-tro-cap-hang-thang']],
    ['a child given the adult amount', 'Trẻ em khuyết tật nặng được 750.000 đồng mỗi tháng [1].', ['nkt-muc-tro-cap-hang-thang']],
    ['the child and elderly rate said of everyone', 'Người khuyết tật đặc biệt nặng được 1.250.000 đồng mỗi tháng [1].', ['nkt-muc-tro-cap-hang-thang']],
    [
      'an age swap: the 60–80 amount said of people from 80',
      'Người cao tuổi từ 80 tuổi thuộc hộ nghèo, không có người phụng dưỡng được 750.000 đồng mỗi tháng [1].',
      ['nct-ho-ngheo-khong-nguoi-phung-duong'],
    ],
    ['an age swap written as in the brief', 'Người cao tuổi từ 80 được 750.000 đồng [1].', ['nct-ho-ngheo-khong-nguoi-phung-duong']],
    ['the two age brackets swapped', 'Từ 60 đến dưới 80 tuổi: 1.000.000 đồng; từ đủ 80 tuổi: 750.000 đồng [1].', ['nct-ho-ngheo-khong-nguoi-phung-duong']],
    ['an age swap for orphans', 'Trẻ mồ côi từ đủ 4 tuổi được 1.250.000 đồng/tháng [1].', ['tre-mo-coi-duoc-bao-nhieu-tien']],
    [
      'the poor households’ age said of everyone',
      'Trợ cấp hưu trí xã hội dành cho người từ đủ 70 tuổi không có lương hưu, mức 500.000 đồng/tháng [1].',
      ['nct-tro-cap-huu-tri-xa-hoi-la-gi'],
    ],
    ['a date swap: the 2024 amount from 2021', 'Từ 01/7/2021, người khuyết tật nặng được 750.000 đồng [1].', ['nkt-muc-tro-cap-tang-tu-khi-nao', 'nkt-muc-tro-cap-hang-thang']],
    ['a date swap on the mức chuẩn', 'Mức chuẩn 500.000 đồng áp dụng từ 01/7/2021 [1].', ['muc-chuan-truoc-day-tang-tu-khi-nao']],
    [
      'a date that belongs to another allowance',
      'Trợ cấp hưu trí xã hội áp dụng từ 01/7/2024, mức 500.000 đồng/tháng [1].',
      ['nct-tro-cap-huu-tri-xa-hoi-la-gi', 'nct-tu-80-tuoi-khong-luong-huu'],
    ],
    ['a coefficient given the wrong amount', 'Quyết định ghi hệ số 1,5 thì mỗi tháng được 1.000.000 đồng [1].', ['muc-chuan-cach-tinh-tien-theo-he-so']],
    ['a coefficient given the wrong example', 'Ví dụ hệ số 1,5: trước là 720.000 đồng, từ 01/7/2024 ít nhất 1.000.000 đồng [1].', ['muc-chuan-truoc-day-tang-tu-khi-nao']],
    ['an amount of the coefficient table called the mức chuẩn', 'Mức chuẩn hiện nay là 750.000 đồng [1].', ['muc-chuan-cach-tinh-tien-theo-he-so']],
    ['a past rate said to be in force', 'Hiện nay người khuyết tật nặng được 540.000 đồng mỗi tháng [1].', ['nkt-muc-tro-cap-tang-tu-khi-nao']],
    ['the previous mức chuẩn said to be in force', 'Mức chuẩn trợ giúp xã hội hiện nay là 360.000 đồng/tháng [1].', ['muc-chuan-hien-nay-bao-nhieu']],
    ['"có lương hưu" where the entry says "không có"', 'Người từ đủ 80 tuổi có lương hưu vẫn được 500.000 đồng mỗi tháng [1].', ['nct-tu-80-tuoi-khong-luong-huu']],
    ['the higher amount without its condition', 'Người từ đủ 80 tuổi không có lương hưu được 1.000.000 đồng mỗi tháng [1].', ['nct-tu-80-tuoi-khong-luong-huu']],
    [
      '"hộ cận nghèo" where the entry says "hộ nghèo"',
      'Người cao tuổi hộ cận nghèo, không có người phụng dưỡng, từ 60 đến dưới 80 tuổi được 750.000 đồng [1].',
      ['nct-ho-ngheo-khong-nguoi-phung-duong'],
    ],
    ['a figure the entry calls a mistake', 'Lần tăng từ 270.000 lên 360.000 đồng là tăng 70.000 đồng [1].', ['muc-chuan-truoc-day-tang-tu-khi-nao']],
    ['an amount in words', 'Người khuyết tật nặng được một triệu đồng mỗi tháng [1].', ['nkt-muc-tro-cap-hang-thang']],
  ])('rejects %s', (_why, reply, ids) => {
    expect(check(reply, ...ids)).not.toEqual([]);
  });

  it.each([
    ['amounts in other forms', 'Dạ, người khuyết tật nặng được ít nhất 750 nghìn đồng mỗi tháng, đặc biệt nặng 1 triệu đồng [1].', ['nkt-muc-tro-cap-hang-thang']],
    ['"750.000đ" and "1tr" without diacritics', 'nguoi khuyet tat nang duoc 750.000đ/thang, dac biet nang 1tr [1]', ['nkt-muc-tro-cap-hang-thang']],
    [
      'every amount of the entry in one reply',
      'Khuyết tật nặng: 750.000đ/tháng; đặc biệt nặng: 1tr/tháng. Nếu là trẻ em hoặc người cao tuổi thì khuyết tật nặng được 1.000.000 đồng, đặc biệt nặng 1.250.000 đồng [1].',
      ['nkt-muc-tro-cap-hang-thang'],
    ],
    [
      'three periods with six amounts and five dates',
      'Mức tối thiểu: từ 01/7/2024 đặc biệt nặng 1.000.000 đồng, nặng 750.000 đồng; từ 01/7/2021 đến 30/6/2024 đặc biệt nặng 720.000 đồng, nặng 540.000 đồng; trước 01/7/2021 đặc biệt nặng 540.000 đồng, nặng 405.000 đồng [1].',
      ['nkt-muc-tro-cap-tang-tu-khi-nao'],
    ],
    [
      'both age brackets under one lead-in',
      'Người cao tuổi thuộc hộ nghèo, không có người phụng dưỡng: từ 60 đến dưới 80 tuổi được ít nhất 750.000 đồng/tháng, từ đủ 80 tuổi được 1.000.000 đồng/tháng [1].',
      ['nct-ho-ngheo-khong-nguoi-phung-duong'],
    ],
    [
      'both amounts with their conditions, a date and a count of days',
      'Dạ, cụ từ đủ 80 tuổi, không có lương hưu thì được ít nhất 500 nghìn đồng mỗi tháng (từ 01/7/2024) [1]. Nếu cụ thuộc hộ nghèo và không có người phụng dưỡng thì ít nhất 1.000.000 đồng/tháng. Xã xem xét trong 10 ngày làm việc [1].',
      ['nct-tu-80-tuoi-khong-luong-huu'],
    ],
    [
      'the ages of both groups',
      'Trợ cấp hưu trí xã hội (từ 01/7/2025) dành cho người từ đủ 75 tuổi không có lương hưu; hộ nghèo, cận nghèo thì từ đủ 70 tuổi. Mức 500.000 đồng mỗi tháng [1].',
      ['nct-tro-cap-huu-tri-xa-hoi-la-gi'],
    ],
    [
      'the coefficient table, with "hệ số 2" for "2,0"',
      'Tiền trợ cấp = mức chuẩn 500.000 đồng × hệ số. Hệ số 1,5 được 750.000 đồng, hệ số 2 được 1 triệu đồng, hệ số 2,5 được 1.250.000đ [1].',
      ['muc-chuan-cach-tinh-tien-theo-he-so'],
    ],
    ['the mức chuẩn and the one before it', 'Mức chuẩn hiện nay là 500 nghìn đồng/tháng, áp dụng từ ngày 01/7/2024; trước đó là 360.000 đồng [1].', ['muc-chuan-hien-nay-bao-nhieu']],
    [
      'orphans’ brackets worded differently',
      'Trẻ mồ côi dưới 16 tuổi được ít nhất 1.250.000 đồng/tháng nếu dưới 4 tuổi, và 750.000 đồng/tháng nếu từ đủ 4 tuổi (từ 01/7/2024) [1].',
      ['tre-mo-coi-duoc-bao-nhieu-tien'],
    ],
    [
      'elderly disability amounts, with a condition after each amount',
      'Với người cao tuổi bị khuyết tật (từ 60 tuổi), mức tối thiểu từ 01/7/2024 là 1.250.000 đồng/tháng nếu đặc biệt nặng và 1.000.000 đồng/tháng nếu nặng [1].',
      ['nkt-nguoi-cao-tuoi-khuyet-tat-lanh-may-khoan', 'nkt-muc-tro-cap-hang-thang'],
    ],
    ['a reply with fewer words than the entry', 'Khuyết tật đặc biệt nặng được 1.000.000 đồng [1].', ['nkt-muc-tro-cap-hang-thang']],
    [
      'a reply as a list with its own lead-in',
      'Với người cao tuổi thuộc hộ nghèo mà không có người phụng dưỡng [1]:\n- Từ 60 đến dưới 80 tuổi: 750.000 đồng/tháng;\n- Từ đủ 80 tuổi trở lên: 1.000.000 đồng/tháng.',
      ['nct-ho-ngheo-khong-nguoi-phung-duong'],
    ],
  ])('accepts %s', (_why, reply, ids) => {
    expect(check(reply, ...ids).map(describeFactProblem)).toEqual([]);
  });

  it('reads a table: its row label and its column header', () => {
    const table = {
      id: 'bang',
      body: '## Trợ cấp người khuyết tật từ 01/7/2024\n\n| Mức độ | Người lớn | Trẻ em, người cao tuổi |\n|---|---|---|\n| Đặc biệt nặng | 1.000.000 đồng | 1.250.000 đồng |\n| Nặng | 750.000 đồng | 1.000.000 đồng |',
    };
    const problems = (reply: string) => checkFacts(reply, [table], { at: AT });
    expect(problems('Trẻ em khuyết tật nặng được 1.000.000 đồng từ 01/7/2024.')).toEqual([]);
    expect(problems('Người lớn khuyết tật nặng được 750 nghìn đồng.')).toEqual([]);
    expect(problems('Người lớn khuyết tật nặng được 1.000.000 đồng.')).not.toEqual([]);
    expect(problems('Khuyết tật nặng được 1.000.000 đồng.')).not.toEqual([]);
  });

  it('names the number and why, for the log', () => {
    const [problem, ...rest] = check('Khuyết tật nặng: 1.000.000 đồng [1].', 'nkt-muc-tro-cap-hang-thang');
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ quantity: '1.000.000 đồng', kind: 'money', reason: 'contradicts-entries' });
    expect(describeFactProblem(problem!)).toMatch(/^1\.000\.000 đồng \(money\): reply says "nặng" but .*"đặc biệt nặng"/);
    expect(check('Người khuyết tật nặng được 900.000 đồng [1].', 'nkt-muc-tro-cap-hang-thang')).toEqual([
      expect.objectContaining({ quantity: '900.000 đồng', reason: 'not-in-entries' }),
    ]);
  });

  it('accepts every shipped entry’s own text, alone and with the entries retrieved beside it', () => {
    const kb = KnowledgeBase.fromDirectory(KNOWLEDGE_DIR, { now: AT });
    const failures: string[] = [];
    for (const e of loaded.entries) {
      const beside = kb
        .search(e.questions[0]!, 3)
        .map((h) => h.entry.id)
        .filter((id) => id !== e.id);
      const own = entry(e.id);
      for (const ids of [[e.id], [e.id, ...beside].slice(0, 3)]) {
        for (const p of check(own.body, ...ids)) failures.push(`${e.id} [${ids.join(', ')}]: ${describeFactProblem(p)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('LLM phrasing with the fact check (FakeListChatModel)', () => {
  const kb = KnowledgeBase.fromDirectory(KNOWLEDGE_DIR, { now: AT });
  const defaults = loadConfig({});
  const thresholds = { answer: defaults.FAQ_ANSWER_THRESHOLD, clarify: defaults.FAQ_CLARIFY_THRESHOLD };

  async function ask(question: string, llmReply: string) {
    const refused: string[] = [];
    const phraser = new LlmPhraser(new FakeListChatModel({ responses: [llmReply] }), undefined, (problems) => refused.push(...problems));
    const r = await new AnswerPipeline({ kb, centre, thresholds, phraser, now: () => AT }).answer(question);
    const own = renderAnswerText(kb.get(r.entryId!)!.body, centre, { values: kb.policyValues, at: AT });
    return { r, refused, own };
  }

  it.each([
    ['the "nặng"/"đặc biệt nặng" swap', 'tro cap nguoi khuyet tat nang bao nhieu', 'Dạ, người khuyết tật nặng được 1.000.000 đồng mỗi tháng [1].', '1.000.000 đồng'],
    [
      'an age swap',
      'Người nhà nghèo không ai phụng dưỡng thì người già được bao nhiêu?',
      'Người cao tuổi hộ nghèo, không có người phụng dưỡng, từ đủ 80 tuổi được 750.000 đồng/tháng [1].',
      '750.000 đồng',
    ],
    ['a date swap', 'Trợ cấp hưu trí xã hội là gì, ai được hưởng?', 'Trợ cấp hưu trí xã hội áp dụng từ 01/7/2024, mức 500.000 đồng mỗi tháng [1].', '01/7/2024'],
    ['a coefficient on the wrong amount', 'he so 1,5 la bao nhieu tien', 'Hệ số 1,5 thì mỗi tháng được 1.000.000 đồng [1].', 'hệ số 1,5'],
  ])('falls back to the entry text on %s and says why', async (_why, question, llmReply, number) => {
    const { r, refused, own } = await ask(question, llmReply);
    expect(r.kind).toBe('answer');
    expect(r.reply.text).toContain(own);
    expect(r.reply.text).not.toContain(llmReply.replace(' [1]', ''));
    expect(refused.join('\n')).toContain(number);
  });

  it.each([
    ['amounts written "750 nghìn" and "1 triệu"', 'tro cap nguoi khuyet tat nang bao nhieu', 'Dạ, người khuyết tật nặng được ít nhất 750 nghìn đồng mỗi tháng, đặc biệt nặng 1 triệu đồng [1].'],
    [
      'several facts of two entries',
      'tro cap nguoi khuyet tat nang bao nhieu',
      'Từ 01/7/2024, khuyết tật nặng được ít nhất 750.000đ/tháng, đặc biệt nặng 1.000.000đ [1]; từ 01/7/2021 đến 30/6/2024, nặng 540.000 đồng, đặc biệt nặng 720.000 đồng [2].',
    ],
    [
      'both age brackets',
      'Người nhà nghèo không ai phụng dưỡng thì người già được bao nhiêu?',
      'Người cao tuổi thuộc hộ nghèo, không có người phụng dưỡng được ít nhất 750.000 đồng/tháng nếu từ 60 đến dưới 80 tuổi, 1.000.000 đồng/tháng nếu từ đủ 80 tuổi [1].',
    ],
  ])('uses a faithful reply with %s', async (_why, question, llmReply) => {
    const { r, refused } = await ask(question, llmReply);
    expect(refused).toEqual([]);
    expect(r.reply.text).toContain(llmReply.replace(/ ?\[\d\]/g, '').replace(/ ;/g, ';').slice(0, 40));
  });

  it('keeps the checks that were there: citations, "KHÔNG BIẾT", numbers the entries lack', () => {
    const nkt = [entry('nkt-muc-tro-cap-hang-thang')];
    expect(validatePhrasing('Người khuyết tật nặng được 750.000 đồng mỗi tháng.', nkt, centre)).toBeNull();
    expect(validatePhrasing('KHÔNG BIẾT', nkt, centre)).toBeNull();
    expect(validatePhrasing('Người khuyết tật nặng được 750.000 đồng [2].', nkt, centre)).toBeNull();
    expect(reviewPhrasing('Gọi 1900 1234 nhé [1].', nkt, centre).problems).toEqual(['1900: no entry has this number', '1234: no entry has this number']);
    expect(validatePhrasing('Gọi 0000 000 000 nếu cần, người khuyết tật nặng được 750 nghìn [1].', nkt, centre)?.text).toBe(
      'Gọi 0000 000 000 nếu cần, người khuyết tật nặng được 750 nghìn.',
    );
  });
});
