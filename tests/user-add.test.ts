/**
 * `npm run user:add` as a real child process on a real SQLite data directory: the
 * account is stored with a verifiable hash; a taken username and a weak password are refused.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/console/auth/passwords.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

const PASSWORD = 'Mật khẩu của Lan 2026';

function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/cli/user-add.ts', ...args], {
      env: { ...process.env, MONGODB_URI: '', LOG_LEVEL: 'silent', CTXH_NEW_PASSWORD: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the CLI may stop reading after the first line
    child.stdin.end(stdin ?? '');
  });
}

const LAN = ['--username', 'Lan', '--name', 'Nguyễn Thị Lan', '--role', 'counsellor', '--teams', 'tam-ly,chung', '--communes', '26734,26737', '--max-open', '5'];

describe('npm run user:add', () => {
  it('creates an account with the password from CTXH_NEW_PASSWORD, audited, and refuses a taken username', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-user-add-'));
    const created = await runCli(LAN, { DATA_DIR: dataDir, CTXH_NEW_PASSWORD: PASSWORD });
    expect(created.code, created.stderr).toBe(0);
    const id = /id=(\S+)/.exec(created.stdout)?.[1];
    expect(created.stdout).toMatch(/username=lan/);
    expect(created.stdout + created.stderr).not.toContain(PASSWORD);

    const duplicate = await runCli(['--username', 'LAN', '--name', 'Lê Thị Lan'], { DATA_DIR: dataDir, CTXH_NEW_PASSWORD: 'một mật khẩu khác 2026' });
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/"lan" đã có người dùng/);

    const store = openSqliteStore(dataDir);
    try {
      const lan = await store.staff.getByUsername('lan');
      expect(lan).toMatchObject({ id, displayName: 'Nguyễn Thị Lan', role: 'counsellor', teams: ['tam-ly', 'chung'], communeCodes: ['26734', '26737'], maxOpen: 5, disabled: false });
      expect(lan!.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
      expect(await verifyPassword(PASSWORD, lan!.passwordHash)).toBe(true);
      expect(await verifyPassword('một mật khẩu khác 2026', lan!.passwordHash)).toBe(false);
      expect(await store.staff.list()).toHaveLength(1);
      const audited = await store.audit.list({ action: 'staff.created' });
      expect(audited).toEqual([expect.objectContaining({ actor: 'cli', subject: id })]);
      expect(JSON.stringify(audited)).not.toContain(PASSWORD);
    } finally {
      await store.close();
    }
  });

  it('reads the password from the first line of stdin, and refuses a weak one', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-user-add-'));
    const fromStdin = await runCli(['--username', 'hung', '--name', 'Trần Văn Hùng', '--role', 'supervisor'], { DATA_DIR: dataDir }, `${PASSWORD}\nignored second line\n`);
    expect(fromStdin.code, fromStdin.stderr).toBe(0);

    const weak = await runCli(['--username', 'mai', '--name', 'Phạm Thị Mai'], { DATA_DIR: dataDir, CTXH_NEW_PASSWORD: '0905123456' });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/chữ số/);
    const short = await runCli(['--username', 'mai', '--name', 'Phạm Thị Mai'], { DATA_DIR: dataDir }, 'ngan\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/ít nhất 10 ký tự/);

    const store = openSqliteStore(dataDir);
    try {
      const hung = await store.staff.getByUsername('hung');
      expect(hung).toMatchObject({ role: 'supervisor', teams: [], communeCodes: [], maxOpen: 5 });
      expect(await verifyPassword(PASSWORD, hung!.passwordHash)).toBe(true);
      expect(await store.staff.getByUsername('mai')).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('validates its arguments, prints usage, and never takes a password from argv', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-user-add-'));
    const env = { DATA_DIR: dataDir, CTXH_NEW_PASSWORD: PASSWORD };
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/usage: npm run user:add/);

    const cases: Array<[string[], RegExp]> = [
      [['--name', 'Lan'], /--username is required/],
      [['--username', 'lan', '--name', 'Lan', '--role', 'boss'], /--role/],
      [['--username', 'lan', '--name', 'Lan', '--communes', '267'], /five digits/],
      [['--username', 'lan', '--name', 'Lan', '--max-open', 'nhiều'], /--max-open/],
      [['--username', 'lan', '--name', 'Lan', '--password', PASSWORD], /not taken from the command line/],
      [['--username', 'lan', '--name', 'Lan', '--unknown'], /Unknown option/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args, env)));
    results.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
  });
});
