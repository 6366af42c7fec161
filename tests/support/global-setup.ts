/**
 * vitest globalSetup: gives the Mongo lane a server. A MONGODB_URI set from outside (a
 * real mongod, as in CI) is used as is; otherwise the jongodb binary from devDependencies
 * is started on a free port unless CTXH_NO_JONGODB is set, and stopped at teardown.
 * Test workers inherit process.env.MONGODB_URI, and CTXH_MONGO_LANE=jongodb when the lane is
 * the jongodb started here (tests that would open several connections at once use one then).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const JONGODB_BIN = fileURLToPath(
  new URL('../../node_modules/@jongodb/memory-server-bin-linux-x64-gnu/bin/jongodb', import.meta.url),
);
const READY_TIMEOUT_MS = 30_000;

/** The URI with any user name and password taken out, for logs. */
function redact(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/)[^@/]*@/, '$1***@');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function startJongodb(port: number): Promise<{ child: ChildProcess; uri: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(JONGODB_BIN, ['--host=127.0.0.1', `--port=${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    const timer = setTimeout(
      () => fail(new Error(`jongodb printed no JONGODB_URI within ${READY_TIMEOUT_MS} ms; stderr: ${err.slice(-2000)}`)),
      READY_TIMEOUT_MS,
    );
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      if (settled) return;
      out += chunk;
      const m = /JONGODB_URI=(\S+)/.exec(out);
      if (m) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, uri: m[1]! });
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      err = (err + chunk).slice(-10_000);
    });
    child.on('error', (e) => fail(e));
    child.on('exit', (code, signal) =>
      fail(new Error(`jongodb exited (${code ?? signal}) before it was ready; stderr: ${err.slice(-2000)}`)),
    );
  });
}

export default async function globalSetup(): Promise<(() => Promise<void>) | void> {
  const given = process.env.MONGODB_URI;
  if (given) {
    console.log(`[store tests] Mongo lane: real MongoDB at ${redact(given)}`);
    return;
  }
  if (process.env.CTXH_NO_JONGODB) {
    console.log('[store tests] Mongo lane: off (CTXH_NO_JONGODB is set and MONGODB_URI is not)');
    return;
  }
  if (!existsSync(JONGODB_BIN)) {
    console.log(`[store tests] Mongo lane: off (no MONGODB_URI and no jongodb binary at ${JONGODB_BIN})`);
    return;
  }
  const { child, uri } = await startJongodb(await freePort());
  process.env.MONGODB_URI = uri;
  process.env.CTXH_MONGO_LANE = 'jongodb';
  console.log(`[store tests] Mongo lane: jongodb at ${uri} (pid ${child.pid})`);
  return async () => {
    delete process.env.MONGODB_URI;
    delete process.env.CTXH_MONGO_LANE;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  };
}
