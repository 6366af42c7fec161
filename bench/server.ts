/**
 * A bench's server as its own process, started with PORT=0, its port read from the first
 * stdout line with a `port`, stopped with SIGTERM: the assistant on a fresh embedded
 * store (startBenchServer), or the bare Direct Line echo (startEchoServer, echo-server.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = join(import.meta.dirname, '..');

/** `stop` resolves once the process has exited, so the next measurement has the machine to itself. */
export interface BenchProcess {
  origin: string;
  stop: () => Promise<void>;
  /**
   * CPU milliseconds (user + system, all threads) the process has used so far, from
   * /proc; null where /proc is missing. Unlike wall-clock rates it barely moves when other
   * work shares the machine, so a change's cost per turn can be compared across runs.
   */
  cpuMs: () => number | null;
}

/** Clock ticks per second of /proc's utime and stime: 100 on Linux. */
const CLOCK_TICKS = 100;

function cpuMsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * BENCH_PROFILE_DIR: when set, each bench server writes a V8 CPU profile there on exit
 * (`--cpu-prof`), to open in Chrome DevTools; unset (the default), no profile is taken.
 */
const PROFILE_ARGS = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE_DIR] : [];

async function startProcess(entry: string, env: Record<string, string>): Promise<BenchProcess> {
  const child = spawn(process.execPath, [...PROFILE_ARGS, '--import', 'tsx', entry], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start within 60 s`)), 60_000);
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
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    origin: `http://127.0.0.1:${port}`,
    cpuMs: () => cpuMsOf(child.pid),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        // A shutdown that hangs must not hang the bench.
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        void exited.then(() => clearTimeout(timer));
      }
      return exited;
    },
  };
}

export function startBenchServer(dataDir: string, env: Record<string, string>): Promise<BenchProcess> {
  return startProcess('src/server/main.ts', { DATA_DIR: dataDir, LOG_LEVEL: 'info', MONGODB_URI: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ...env });
}

/** The bare Express echo speaking the same Direct Line subset (bench/echo-server.ts). */
export function startEchoServer(): Promise<BenchProcess> {
  return startProcess('bench/echo-server.ts', {});
}
