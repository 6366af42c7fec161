/**
 * Behind one reverse proxy (TRUST_PROXY=1), the web chat token limit counts the address
 * the proxy saw, not whatever a client writes into X-Forwarded-For.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startAssistant } from './support/assistant.js';

const running = await startAssistant({ TRUST_PROXY: '1', DIRECTLINE_TOKENS_PER_MINUTE: '20' });
afterAll(() => running.close());

describe('TRUST_PROXY as a hop count', () => {
  it('limits one citizen to 20 tokens a minute however they forge X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      // The client forged the first entry; the proxy appended the address it really saw.
      const res = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST', headers: { 'x-forwarded-for': `10.9.${i}.1, 203.0.113.7` } });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    // Another citizen behind the same proxy is not affected.
    const other = await fetch(`${running.url}/v3/directline/tokens/generate`, { method: 'POST', headers: { 'x-forwarded-for': '198.51.100.4' } });
    expect(other.status).toBe(200);
  });
});
