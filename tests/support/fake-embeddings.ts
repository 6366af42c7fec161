/**
 * A local OpenAI-compatible embeddings endpoint (POST /v1/embeddings), as a centre's own
 * model server would be: each text becomes a hashed bag of its folded syllables and
 * syllable pairs, so texts that share words are near and others are not (a crude model,
 * but a deterministic one). It counts the texts it was sent, can fail or be slow, and
 * answers in the float or base64 form the client asks for (the openai client asks for
 * base64 unless told otherwise).
 *
 * @example const fake = await startFakeEmbeddings(); loadConfig({ OPENAI_BASE_URL: fake.baseUrl, EMBEDDINGS_MODEL: 'fake' })
 */
import { createHash } from 'node:crypto';
import express from 'express';
import { normalizeSyllables } from '../../src/kb/normalize.js';
import { listen } from './http.js';

const DIMS = 512;

/** The fake model's vector for a text. */
export function fakeEmbedding(text: string): number[] {
  const v = new Array<number>(DIMS).fill(0);
  const s = normalizeSyllables(text);
  const features = [...s, ...s.slice(1).map((w, i) => `${s[i]} ${w}`)];
  for (const f of features) v[createHash('md5').update(f).digest().readUInt32LE(0) % DIMS]! += 1;
  return v;
}

export async function startFakeEmbeddings(options: { delayMs?: number } = {}) {
  const sent: string[] = [];
  let failing = false;
  let delayMs = options.delayMs ?? 0;
  const app = express();
  app.use(express.json({ limit: '20mb' }));
  app.post('/v1/embeddings', (req, res) => {
    const input: string[] = Array.isArray(req.body.input) ? req.body.input : [req.body.input];
    sent.push(...input);
    const answer = () => {
      if (failing) return void res.status(500).json({ error: { message: 'the model server is down', type: 'server_error' } });
      const data = input.map((text, index) => {
        const v = fakeEmbedding(text);
        const embedding = req.body.encoding_format === 'base64' ? Buffer.from(Float32Array.from(v).buffer).toString('base64') : v;
        return { object: 'embedding', index, embedding };
      });
      res.json({ object: 'list', data, model: req.body.model, usage: { prompt_tokens: 1, total_tokens: 1 } });
    };
    if (delayMs) setTimeout(answer, delayMs);
    else answer();
  });
  const http = await listen(app);
  return {
    /** The base URL to give OPENAI_BASE_URL. */
    baseUrl: `${http.url}/v1`,
    /** Every text sent so far, queries and entries alike. */
    sent: () => [...sent],
    /** From now on every request fails (true) or is answered (false). */
    fail: (on: boolean) => void (failing = on),
    /** From now on answers wait this long. */
    slow: (ms: number) => void (delayMs = ms),
    close: http.close,
  };
}
