/**
 * A local OpenAI-compatible chat model (as a centre's own model server would be) whose
 * answers can be slowed or held: a turn that outlives its claim, a process killed while
 * a turn waits on the model.
 */
import express from 'express';
import { listen } from './http.js';

export async function startFakeLlm(options: { delayMs?: number; content?: string } = {}) {
  let requests = 0;
  let holding = false;
  const held: Array<() => void> = [];
  const app = express();
  app.use(express.json());
  app.post('/v1/chat/completions', (req, res) => {
    requests++;
    const answer = () =>
      res.json({
        id: 'x',
        object: 'chat.completion',
        created: 1795300000,
        model: req.body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: options.content ?? 'Người khuyết tật nặng được trợ cấp hằng tháng theo quy định.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    if (holding) held.push(answer);
    else if (options.delayMs) setTimeout(answer, options.delayMs);
    else answer();
  });
  const http = await listen(app);
  return {
    /** The base URL to give OPENAI_BASE_URL. */
    baseUrl: `${http.url}/v1`,
    requests: () => requests,
    /** Answers from now on wait until release(). */
    hold: () => void (holding = true),
    release: () => {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    close: http.close,
  };
}
