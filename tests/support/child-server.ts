/**
 * The assistant as a real child process (src/server/main.ts under tsx) on the embedded
 * store, for crash tests: kill it with SIGKILL, start it again on the same data directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export const CHILD_DIRECTLINE_SECRET = 'test-secret-test-secret-test-secret-0123';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The environment of a child server on this data directory and port (no Mongo, no Telegram). */
export function childEnv(dataDir: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DIRECTLINE_TOKEN_SECRET: CHILD_DIRECTLINE_SECRET,
    LOG_LEVEL: 'silent',
    MONGODB_URI: '',
    TELEGRAM_BOT_TOKEN: '',
    ...extra,
  };
}

export function startChildServer(dataDir: string, port: number, extra: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], { env: childEnv(dataDir, port, extra), stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}
