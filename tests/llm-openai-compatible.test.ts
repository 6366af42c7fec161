/**
 * The configured LLM path end to end: @langchain/openai's ChatOpenAI talks to a local
 * OpenAI-compatible server (as a centre's own model server would be), and the bot's
 * reply is the model's wording with the entry's source, or the entry itself when the
 * model adds a number the entry does not hold.
 */
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnswerPipeline } from '../src/flows/answer.js';
import { KnowledgeBase } from '../src/kb/knowledge-base.js';
import { createConfiguredPhraser } from '../src/kb/llm-phrasing.js';
import { join } from 'node:path';
import { listen } from './support/http.js';

const kb = KnowledgeBase.fromDirectory(join(import.meta.dirname, '..', 'knowledge'));
let nextReply = '';
const requests: Array<{ model: string; messages: Array<{ role: string; content: string }> }> = [];
let server: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.post('/v1/chat/completions', (req, res) => {
    requests.push(req.body);
    res.json({
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1795300000,
      model: req.body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: nextReply }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    });
  });
  server = await listen(app);
});

afterAll(async () => {
  await server?.close();
});

async function pipeline() {
  const phraser = await createConfiguredPhraser({ OPENAI_BASE_URL: `${server.url}/v1`, LLM_MODEL: 'local-model' });
  expect(phraser).toBeDefined();
  return new AnswerPipeline({ kb, centre: { name: 'Trung tâm' }, thresholds: { answer: 0.5, clarify: 0.42 }, phraser });
}

describe('LLM phrasing through an OpenAI-compatible server', () => {
  it('is off unless a key or a base URL is configured', async () => {
    expect(await createConfiguredPhraser({ LLM_MODEL: 'x' })).toBeUndefined();
  });

  it('uses the model wording, keeps the source, and sends the entries as context', async () => {
    nextReply = 'Dạ, người khuyết tật nặng được ít nhất 750.000 đồng mỗi tháng [1].';
    const r = await (await pipeline()).answer('tro cap nguoi khuyet tat nang bao nhieu');
    expect(r.topic).toBe('tro-cap-nguoi-khuyet-tat');
    expect(r.reply.text.startsWith('Dạ, người khuyết tật nặng được ít nhất 750.000 đồng mỗi tháng.')).toBe(true);
    expect(r.reply.text).toMatch(/Nguồn: .*Nghị định/);
    const sent = requests.at(-1)!;
    expect(sent.model).toBe('local-model');
    expect(sent.messages.at(-1)!.content).toContain('tro cap nguoi khuyet tat nang bao nhieu');
    expect(sent.messages.at(-1)!.content).toContain('[1]');
  });

  it('falls back to the entry when the model invents an amount', async () => {
    nextReply = 'Người khuyết tật nặng được 2.000.000 đồng mỗi tháng [1].';
    const r = await (await pipeline()).answer('tro cap nguoi khuyet tat nang bao nhieu');
    expect(r.reply.text).not.toContain('2.000.000');
    expect(r.reply.text).toContain(kb.get(r.entryId!)!.body.split('\n')[0]!.replace(/\*\*/g, '').slice(0, 30));
  });
});
