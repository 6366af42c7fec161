/**
 * The topic classifier beside BM25 (src/kb/classifier.ts) and how its reading combines
 * with BM25's confidence (src/flows/faq.ts): deterministic, trained on the shipped
 * phrasings, right on questions worded unlike any phrasing, and counting only when it is
 * more sure than not.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifierFor, trainTopicClassifier } from '../src/kb/classifier.js';
import { loadKnowledge } from '../src/kb/loader.js';
import { combinedConfidence } from '../src/flows/faq.js';
import { EVERYDAY_CLASS } from '../src/kb/topics.js';

const { entries } = loadKnowledge(join(import.meta.dirname, '..', 'knowledge'));
const classifier = trainTopicClassifier(entries);

describe('the topic classifier', () => {
  it('reads the topic of questions worded unlike the phrasings, Southern and unaccented', () => {
    const cases: Array<[string, string]> = [
      ['ba tui 82 tuổi ở một mình hổng có lương hưu, xã có cho tiền hông', 'tro-cap-nguoi-cao-tuoi'],
      ['thang nho nha em khuyet tat bam sinh, di dung khong duoc, nha nuoc co cho tien khong', 'tro-cap-nguoi-khuyet-tat'],
      ['ong ngoai mat roi, ong dang lanh tien tro cap, nha lo dam tang co duoc ho tro gi khong', 'ho-tro-mai-tang'],
      ['lương hưu tháng này sao chưa về tài khoản', 'co-quan-khac'],
    ];
    for (const [text, topic] of cases) expect(classifier.predict(text).topic, text).toBe(topic);
  });

  it('reads everyday questions about old parents or a disabled child as no office\'s business, and benefits as ours', () => {
    // Written for this test, not taken from the everyday list.
    const everyday = [
      'bà nội tôi 85 tuổi hay mất ngủ, buổi tối nên pha trà gì cho bà dễ ngủ',
      'cach cai youtube tren tivi cho ba me gia xem cai luong',
      'con tôi bị khuyết tật vận động, mua xe đạp ba bánh loại nào cho bé chơi',
    ];
    for (const text of everyday) expect(classifier.predict(text).topic, text).toBe(EVERYDAY_CLASS);
    expect(classifier.predict('mẹ tôi 82 tuổi không có lương hưu, có được trợ cấp hằng tháng không').topic).toBe('tro-cap-nguoi-cao-tuoi');
    expect(trainTopicClassifier(entries, { everyday: [] }).topics).not.toContain(EVERYDAY_CLASS);
  });

  it('gives the same model from the same entries, and probabilities that add up to one', () => {
    const again = trainTopicClassifier(entries);
    const text = 'me tui bi liet nua nguoi duoc tro cap bao nhieu';
    expect(again.predict(text)).toEqual(classifier.predict(text));
    const sum = [...classifier.predict(text).probabilities.values()].reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 9);
  });

  it('is trained once per set of phrasings: a reworded answer reuses it, a new phrasing does not', () => {
    const live = classifierFor(entries);
    expect(classifierFor(entries.map((e) => ({ ...e, body: `${e.body} (sửa)` })))).toBe(live);
    const first = entries[0]!;
    const withPhrasing = [{ ...first, questions: [...first.questions, 'câu hỏi mới hoàn toàn khác'] }, ...entries.slice(1)];
    const retrained = classifierFor(withPhrasing);
    expect(retrained).not.toBe(live);
    // The live one is still kept beside a preview's.
    expect(classifierFor(entries)).toBe(live);
    expect(classifierFor(withPhrasing)).toBe(retrained);
  });
});

describe('combining the classifier with BM25', () => {
  const reading = (topic: string, probability: number) => ({ topic, probability, probabilities: new Map([[topic, probability]]) });

  it('adds agreeing evidence, takes away for another office, and ignores a reading less sure than not', () => {
    expect(combinedConfidence('bao-hiem-y-te', 0.4, reading('bao-hiem-y-te', 0.8))).toBeCloseTo(0.88, 9);
    expect(combinedConfidence('bao-hiem-y-te', 0.6, reading('co-quan-khac', 0.75))).toBeCloseTo(0.15, 9);
    expect(combinedConfidence('bao-hiem-y-te', 0.6, reading('ho-ngheo-can-ngheo', 0.9))).toBe(0.6);
    expect(combinedConfidence('bao-hiem-y-te', 0.4, reading('bao-hiem-y-te', 0.45))).toBe(0.4);
    expect(combinedConfidence(undefined, 0, reading('bao-hiem-y-te', 0.9))).toBe(0);
  });

  it('takes away for an everyday question only when the classifier is very sure', () => {
    expect(combinedConfidence('tro-cap-nguoi-cao-tuoi', 0.8, reading(EVERYDAY_CLASS, 0.95))).toBeCloseTo(0.04, 9);
    expect(combinedConfidence('tro-cap-nguoi-cao-tuoi', 0.8, reading(EVERYDAY_CLASS, 0.7))).toBe(0.8);
  });
});
