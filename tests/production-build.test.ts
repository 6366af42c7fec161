/**
 * The production start: `npm run build` compiles src with tsc, and the compiled server
 * (plain node, no tsx) finds everything it reads at run time from the project root
 * (src/server/paths.ts): the chat page, the console and its vendor modules, the risk
 * lexicon and the admin-units data. It is built into a folder of its own under dist/ (so
 * an existing dist/ is left alone) and run from another working directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { childEnv, freePort, healthy } from './support/child-server.js';
import { askWebChat } from './support/web-ask.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');

/** Runs a command to its end; rejects with its output when it fails. */
function run(command: string, args: string[], options: { cwd: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} ended with ${code ?? signal}:\n${out}`))));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('production build (npm run build, then node on the compiled server)', () => {
  const distExisted = existsSync(DIST);
  const outDir = join(DIST, `.test-${process.pid}-${Date.now()}`);
  const workDir = mkdtempSync(join(tmpdir(), 'ctxh-prod-'));
  let server: ChildProcess | undefined;
  let serverErr = '';
  let url = '';

  beforeAll(async () => {
    // npm passes the extra arguments to tsc: `tsc -p tsconfig.build.json --outDir <outDir>`.
    await run('npm', ['run', '--silent', 'build', '--', '--outDir', outDir], { cwd: ROOT });
    const main = join(outDir, 'src', 'server', 'main.js');
    expect(existsSync(main)).toBe(true);

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // Another working directory: only the settings that are relative to it by design are given.
    server = spawn(process.execPath, [main], {
      cwd: workDir,
      env: childEnv(join(workDir, 'data'), port, {
        KNOWLEDGE_DIR: join(ROOT, 'knowledge'),
        CANNED_RESPONSES_FILE: join(ROOT, 'config', 'canned-responses.yaml'),
        RISK_LEXICON_DIR: '',
      }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    server.stderr!.on('data', (c) => (serverErr += c));
    const child = server;
    await vi.waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the compiled server exited (${child.exitCode ?? child.signalCode}):\n${serverErr}`);
        if (!(await healthy(url))) throw new Error(`no answer on ${url}/healthz yet`);
      },
      { timeout: 60_000, interval: 100 },
    );
  }, 240_000);

  afterAll(async () => {
    if (server) {
      const done = exited(server);
      server.kill('SIGTERM');
      const force = setTimeout(() => server?.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(force);
    }
    rmSync(outDir, { recursive: true, force: true });
    if (!distExisted && existsSync(DIST) && readdirSync(DIST).length === 0) rmSync(DIST, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  }, 30_000);

  it('answers /healthz from the store with the knowledge loaded', async () => {
    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, store: 'sqlite' });
    expect(health.knowledgeEntries).toBeGreaterThan(100);
  });

  it('serves the web chat page and its script from src/web', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('<script src="chat.js"></script>');
    const script = await fetch(`${url}/chat.js`);
    expect(script.status).toBe(200);
    expect(await fetch(`${url}/embed.js`).then((r) => r.status)).toBe(200);
  });

  it('serves the console page, its modules and the vendor modules from node_modules', async () => {
    const page = await fetch(`${url}/console/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('/console/vendor/');
    expect(await fetch(`${url}/console/app.js`).then((r) => r.status)).toBe(200);
    for (const file of ['preact.mjs', 'hooks.mjs', 'htm.mjs']) {
      const res = await fetch(`${url}/console/vendor/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
    }
  });

  it('answers a question over Direct Line with its source', async () => {
    expect(await askWebChat(url, 'tro cap nguoi khuyet tat bao nhieu')).toMatch(/Nguồn: /);
  });

  it('finds the shipped risk lexicon and admin-units data from the compiled modules', async () => {
    const check = `
      const triage = await import(${JSON.stringify(join(outDir, 'src/flows/triage/index.js'))});
      const units = await import(${JSON.stringify(join(outDir, 'src/flows/intake/admin-units.js'))});
      console.log(JSON.stringify({ cues: triage.shippedLexicon().cues.length, provinces: units.shippedAdminUnits().provinces.length }));
    `;
    const out = JSON.parse(await run(process.execPath, ['--input-type=module', '-e', check], { cwd: workDir }));
    expect(out.cues).toBeGreaterThan(0);
    expect(out.provinces).toBe(34);
  });
});
