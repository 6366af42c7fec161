import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from './config.js';
import { createAssistant } from './assistant.js';

async function main(): Promise<void> {
  // Settings come from the environment; a .env file beside package.json is read too.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      process.exit(1);
    }
    throw err;
  }
  const assistant = await createAssistant(config);
  const server = assistant.app.listen(config.PORT, config.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    assistant.log.info({ port, store: assistant.store.kind }, `Trợ lý CTXH: web chat at http://localhost:${port}/`);
  });
  assistant.attach(server);
  await assistant.start();
  const shutdown = async (signal: string) => {
    assistant.log.info({ signal }, 'shutting down');
    server.close();
    await assistant.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
