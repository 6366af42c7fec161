/**
 * The assistant as its own process for a bench, on a fresh embedded store: started with
 * PORT=0, its port read from the start-up log line, stopped with SIGTERM.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export async function startBenchServer(dataDir: string, env: Record<string, string>): Promise<{ origin: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', MONGODB_URI: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 60 s')), 60_000);
    lines.on('line', (line) => {
      try {
        const j = JSON.parse(line) as { port?: number };
        if (j.port) {
          clearTimeout(timer);
          resolve(j.port);
        }
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}
