import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnswerPipeline } from '../src/flows/answer.js';
import { KnowledgeBase } from '../src/kb/knowledge-base.js';
import { normalizeSyllables } from '../src/kb/normalize.js';
import { foldTypedKeys, looksTyped } from '../src/kb/typing.js';
import { loadConfig } from '../src/server/config.js';

/** Telex typed with no input method on: token → folded syllable. */
const TELEX: Array<[string, string]> = [
  ['nguowif', 'nguoi'],
  ['nguwowif', 'nguoi'],
  ['nguwoif', 'nguoi'],
  ['khuyeets', 'khuyet'],
  ['taajt', 'tat'],
  ['taatj', 'tat'],
  ['dduwowcj', 'duoc'],
  ['dduowcj', 'duoc'],
  ['trowj', 'tro'],
  ['caaps', 'cap'],
  ['nhieeu', 'nhieu'],
  ['nawngj', 'nang'],
  ['mootj', 'mot'],
  ['thangs', 'thang'],
  ['tuooir', 'tuoi'],
  ['hoof', 'ho'],
  ['sow', 'so'],
  ['giaays', 'giay'],
  ['towf', 'to'],
  ['gif', 'gi'],
  ['thif', 'thi'],
  ['laf', 'la'],
  ['vaf', 'va'],
  ['cos', 'co'],
  ['bij', 'bi'],
  ['nhaf', 'nha'],
  ['lamf', 'lam'],
  ['ddaau', 'dau'],
  ['owr', 'o'],
  ['khoong', 'khong'],
  ['tooi', 'toi'],
  ['chuwa', 'chua'],
  ['tieenf', 'tien'],
  ['hooij', 'hoi'],
  ['xax', 'xa'],
  ['baor', 'bao'],
  ['hieemr', 'hiem'],
  ['mieenx', 'mien'],
  ['phis', 'phi'],
  ['thuwowng', 'thuong'],
  ['nhuwngx', 'nhung'],
  ['muwcs', 'muc'],
  ['ddinhj', 'dinh'],
  ['ddoongf', 'dong'],
  ['xuoongs', 'xuong'],
  ['cuwowcs', 'cuoc'],
  ['maats', 'mat'],
  ['phatj', 'phat'],
  ['huwu', 'huu'],
  ['vieetj', 'viet'],
  ['vieejt', 'viet'],
  ['hojc', 'hoc'],
  ['hocj', 'hoc'],
  ['nwowcs', 'nuoc'],
  ['tuwf', 'tu'],
  ['tufw', 'tu'],
  ['uwf', 'u'],
  ['owi', 'oi'],
  ['awn', 'an'],
  ['nhw', 'nhu'],
  ['thw', 'thu'],
  ['chij', 'chi'],
  ['mej', 'me'],
  ['caanf', 'can'],
  ['ddi', 'di'],
  ['ddeens', 'den'],
  ['cuxng', 'cung'],
  ['giuwx', 'giu'],
  ['NGUOWIF', 'nguoi'],
];

/** VNI typed with no input method on. */
const VNI: Array<[string, string]> = [
  ['tro75', 'tro'],
  ['ca61p', 'cap'],
  ['ngu7o72i', 'nguoi'],
  ['gia2', 'gia'],
  ['khuye61t', 'khuyet'],
  ['ta65t', 'tat'],
  ['na8ng5', 'nang'],
  ['d9u7o75c', 'duoc'],
  ['du7o75c', 'duoc'],
  ['nhie6u', 'nhieu'],
  ['ca6n2', 'can'],
  ['gia61y', 'giay'],
  ['to72', 'to'],
  ['d9i', 'di'],
  ['di9', 'di'],
  ['d9a6u', 'dau'],
  ['o73', 'o'],
  ['mo65t', 'mot'],
  ['tha1ng', 'thang'],
  ['ho62', 'ho'],
  ['so7', 'so'],
  ['hu7o73ng', 'huong'],
  ['tie62n', 'tien'],
  ['tie6n2', 'tien'],
  ['bie61t', 'biet'],
  ['kho6ng', 'khong'],
  ['to6i', 'toi'],
  ['thu7o7ng', 'thuong'],
  ['tu7o7i2', 'tuoi'],
  ['xa4', 'xa'],
  ['ho6i5', 'hoi'],
  ['vie65t', 'viet'],
  ['la2m', 'lam'],
  ['d9e61n', 'den'],
];

/** Tokens that must come back untouched (null). */
const UNTOUCHED = [
  // already syllables, with or without marks
  'anh', 'nguoi', 'khong', 'duoc', 'tro', 'cap', 'gia', 'nhieu', 'khuyet', 'xoong', 'boong', 'người', 'trợ',
  // abbreviations and teencode
  'fb', 'ok', 'oke', 'xx', 'bhxh', 'ctxh', 'ubnd', 'cccd', 'nkt', 'dc', 'bn', 'ko', 'hok', 'j', 'z', 'ntn', 'vs',
  'mik', 'ck', 'vk', 'hix', 'tuj', 'laj', 'nguoj', 'wa', 'wen', 'tw', 'ox', 'dzay', 'khum', 'thik', 'bik', 'bjo',
  'cx', 'chx', 'ms', 'bs', 'trc', 'hihi', 'huhu', 'kkk', 'uhm', 'ukm', 'nhaaa', 'khongggg',
  // numbers, numbers with units, codes
  '2024', '10tr', '500k', '7t', '6t', '80t', '2k', '5g', 'a1', 'b2', 'q7', 'k0', 'x2', 'f0', 'mp3', 'h5n1', 'covid19',
  // English and loanwords
  'bus', 'sos', 'wifi', 'zalo', 'covid', 'taxi', 'test', 'how', 'as', 'of', 'ex', 'os', 'web', 'chat', 'online',
  'facebook', 'google', 'shopee', 'iphone', 'email', 'pass', 'sorry', 'visa', 'more', 'use', 'tiktok', 'hotline',
  'vneid', 'atm', 'sms', 'otp', 'docx', 'max', 'mix', 'tax', 'box', 'sex', 'gas', 'tips', 'list', 'trust', 'see',
  'too', 'seen', 'teen', 'keep', 'room', 'down', 'now',
];

describe('foldTypedKeys', () => {
  it.each(TELEX)('decodes Telex "%s" as %s', (typed, folded) => {
    expect(foldTypedKeys(typed)).toBe(folded);
  });

  it.each(VNI)('decodes VNI "%s" as %s', (typed, folded) => {
    expect(foldTypedKeys(typed)).toBe(folded);
  });

  it('has enough examples', () => {
    expect(TELEX.length + VNI.length).toBeGreaterThanOrEqual(40);
    expect(UNTOUCHED.length).toBeGreaterThanOrEqual(40);
  });

  it.each(UNTOUCHED)('leaves "%s" alone', (token) => {
    expect(foldTypedKeys(token)).toBeNull();
  });

  it('decodes whole phrases in either scheme', () => {
    const fold = (s: string) => s.split(' ').map((t) => foldTypedKeys(t) ?? t).join(' ');
    expect(fold('nguowif khuyeets taajt dduwowcj trowj caaps bao nhieeu')).toBe('nguoi khuyet tat duoc tro cap bao nhieu');
    expect(fold('tro75 ca61p ngu7o72i gia2')).toBe('tro cap nguoi gia');
    expect(fold('hooij ddoongf xacs ddinhj muwcs ddooj khuyeets taatj')).toBe('hoi dong xac dinh muc do khuyet tat');
    expect(fold('la2m gia61y to72 o73 d9a6u')).toBe('lam giay to o dau');
  });

  it('needs the key where Telex or VNI puts it, and a spelling Vietnamese allows', () => {
    // Huyền, hỏi, ngã never go before a final c, ch, p, t.
    expect(foldTypedKeys('tafp')).toBeNull();
    expect(foldTypedKeys('chart')).toBeNull();
    // A tone letter inside the final.
    expect(foldTypedKeys('thanfh')).toBeNull();
    // A shape key on a vowel that cannot take it, or an ơ where Vietnamese has none.
    expect(foldTypedKeys('ch7a')).toBeNull();
    expect(foldTypedKeys('d9o72ng')).toBeNull();
    // Keys doubled undo themselves in Telex; the result is not what was meant.
    expect(foldTypedKeys('bass')).toBeNull();
    expect(foldTypedKeys('caaap')).toBeNull();
  });
});

describe('looksTyped', () => {
  it('spots a message typed with Telex or VNI keys', () => {
    expect(looksTyped('nguowif khuyeets taajt')).toBe(true);
    expect(looksTyped('tro75 ca61p ngu7o72i gia2')).toBe(true);
    expect(looksTyped('cos ko')).toBe(true);
  });

  it('does not flag plain text, marks, abbreviations or a lone ambiguous word', () => {
    expect(looksTyped('tro cap nguoi khuyet tat bao nhieu')).toBe(false);
    expect(looksTyped('Trợ cấp người khuyết tật bao nhiêu?')).toBe(false);
    expect(looksTyped('NKT dc bn tien 1 thang, di bus hay taxi, 500k ok ko')).toBe(false);
    expect(looksTyped('toi muon hoi ve tro cap cho me toi, cos dc ko')).toBe(false);
  });
});

describe('normalizeSyllables with typed keys', () => {
  it('decodes before abbreviations, phrases and unit splitting', () => {
    expect(normalizeSyllables('nguowif khuyeets taajt dduwowcj trowj caaps bao nhieeu')).toEqual(
      'nguoi khuyet tat duoc tro cap bao nhieu'.split(' '),
    );
    // "ca61p" is not split into "ca61 p"; "gia2" still meets the "nguoi gia" phrase.
    expect(normalizeSyllables('tro75 ca61p ngu7o72i gia2')).toEqual('tro cap nguoi cao tuoi'.split(' '));
    // A decoded word goes on through the word map: "lãnh" typed as "lanhx" is "nhan".
    expect(normalizeSyllables('lanhx tieenf')).toEqual(['nhan', 'tien']);
  });

  it('changes nothing that does not decode', () => {
    expect(normalizeSyllables('NKT dc bn tiền ko')).toEqual('nguoi khuyet tat duoc bao nhieu tien khong'.split(' '));
    // (as before: the unit "k" of "500k" goes through the word map like a lone "k")
    expect(normalizeSyllables('trẻ dưới 6t, 500k, 10tr')).toEqual('tre duoi 6 tuoi 500 khong 10 trieu'.split(' '));
    expect(normalizeSyllables('đi bus hay taxi, wifi zalo ok, sos')).toEqual('di bus hay taxi wifi zalo ok sos'.split(' '));
    // Words in the abbreviation map are never read as Telex ("nguoj" is teencode for người).
    expect(normalizeSyllables('nguoj')).toEqual(['nguoi']);
  });
});

describe('a Telex or VNI question through the answer pipeline', () => {
  const kb = KnowledgeBase.fromDirectory(join(import.meta.dirname, '..', 'knowledge'));
  const centre = { name: 'Trung tâm CTXH tỉnh Thử Nghiệm', hotline: '0000 111 222' };
  const defaults = loadConfig({});
  const thresholds = { answer: defaults.FAQ_ANSWER_THRESHOLD, clarify: defaults.FAQ_CLARIFY_THRESHOLD };
  const pipeline = new AnswerPipeline({ kb, centre, thresholds });

  it.each([
    ['nguowif khuyeets taajt nawngj dduwowcj trowj caaps bao nhieeu'],
    ['ngu7o72i khuye61t ta65t na8ng5 d9u7o75c tro75 ca61p bao nhie6u'],
  ])('answers "%s" from the disability allowance topic', async (text) => {
    const typed = await pipeline.answer(text);
    expect(typed.kind).toBe('answer');
    expect(typed.topic).toBe('tro-cap-nguoi-khuyet-tat');
    // The same answer as the question typed with its marks.
    const marked = await pipeline.answer('Người khuyết tật nặng được trợ cấp bao nhiêu?');
    expect(typed.entryId).toBe(marked.entryId);
  });
});
