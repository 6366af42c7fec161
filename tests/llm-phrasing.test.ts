import { FakeListChatModel } from '@langchain/core/utils/testing';
import { describe, expect, it } from 'vitest';
import { AnswerPipeline } from '../src/flows/answer.js';
import type { KnowledgeEntry } from '../src/kb/entry.js';
import { KnowledgeBase } from '../src/kb/knowledge-base.js';
import { LlmPhraser, numbersIn } from '../src/kb/llm-phrasing.js';

const centre = { name: 'Trung tâm CTXH thử nghiệm', hotline: '0000 000 000' };

const entry: KnowledgeEntry = {
  id: 'nkt-muc',
  topic: 'tro-cap-nguoi-khuyet-tat',
  questions: ['Người khuyết tật nặng được trợ cấp bao nhiêu?', 'tro cap nguoi khuyet tat nang bao nhieu'],
  source: 'Nghị định 20/2021/NĐ-CP, Điều 6',
  effective: '2024-07-01',
  reviewed: '2026-11-22',
  body: 'Người khuyết tật nặng được ít nhất **750.000 đồng** mỗi tháng từ 01/7/2024. Gọi {{centre.hotline}} nếu cần.',
  file: 'x.md',
};

function pipelineWith(responses: string[]) {
  const phraser = new LlmPhraser(new FakeListChatModel({ responses }));
  // One entry gives no corpus statistics to judge confidence by; this suite tests phrasing only.
  return new AnswerPipeline({ kb: new KnowledgeBase([entry]), centre, thresholds: { answer: 0, clarify: 0 }, phraser });
}

describe('optional LLM phrasing', () => {
  it('uses a reply that restates the entry and cites it', async () => {
    const r = await pipelineWith(['Dạ, người khuyết tật nặng được ít nhất 750.000 đồng mỗi tháng [1].']).answer(
      'tro cap nguoi khuyet tat nang bao nhieu',
    );
    expect(r.entryId).toBe('nkt-muc');
    expect(r.reply.text).toContain('Dạ, người khuyết tật nặng được ít nhất 750.000 đồng mỗi tháng.');
    expect(r.reply.text).toContain('Nguồn: Nghị định 20/2021/NĐ-CP, Điều 6');
    expect(r.reply.text).not.toContain('[1]');
  });

  it.each([
    ['an amount the entry does not hold', 'Người khuyết tật nặng được 900.000 đồng mỗi tháng [1].'],
    ['a date the entry does not hold', 'Mức này áp dụng từ 01/01/2025 [1].'],
    ['no citation', 'Người khuyết tật nặng được ít nhất 750.000 đồng mỗi tháng.'],
    ['a citation of an entry it was not given', 'Được 750.000 đồng [4].'],
    ['the model saying it does not know', 'KHÔNG BIẾT'],
  ])('falls back to the entry text when the reply has %s', async (_why, llmReply) => {
    const r = await pipelineWith([llmReply]).answer('tro cap nguoi khuyet tat nang bao nhieu');
    expect(r.entryId).toBe('nkt-muc');
    expect(r.reply.text).toContain('Người khuyết tật nặng được ít nhất 750.000 đồng mỗi tháng từ 01/7/2024. Gọi 0000 000 000 nếu cần.');
  });

  it('reads numbers the way dates and amounts are written', () => {
    expect([...numbersIn('từ 01/7/2024, 750.000 đồng, hệ số 1,5')]).toEqual(['1', '7', '2024', '750000', '15']);
  });
});
