import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../../src/server/config.js';
import { createAssistant, type Assistant } from '../../src/server/assistant.js';
import { listen } from './http.js';

/** A real assistant on a temporary SQLite file, served on a free loopback port. */
export async function startAssistant(env: Record<string, string> = {}, options: { now?: () => Date; livePollMs?: number; log?: Logger } = {}) {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'ctxh-test-'));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DIRECTLINE_TOKEN_SECRET: 'test-secret-test-secret-test-secret-0123',
    ...env,
    DATA_DIR: dataDir,
  });
  const assistant: Assistant = await createAssistant(config, { log: options.log ?? pino({ level: 'silent' }), now: options.now, livePollMs: options.livePollMs });
  const http = await listen(assistant.app);
  assistant.attach(http.server);
  await assistant.start();
  return {
    assistant,
    config,
    dataDir,
    url: http.url,
    async close() {
      await http.close();
      await assistant.close();
    },
  };
}
