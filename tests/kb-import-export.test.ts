/**
 * `npm run kb:import` and `npm run kb:export` as real child processes on a real SQLite
 * data directory: exporting after importing knowledge/ gives the same files byte for byte;
 * a second import changes nothing; an edit shows in the export; a folder with one bad file
 * imports nothing; a policy value edited in `_policy-values.yaml` goes in and comes back out.
 * And the serializers round-trip every shipped entry and policy value.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledge, parseEntry } from '../src/kb/loader.js';
import { loadPolicyValues, parsePolicyValues, POLICY_VALUES_FILE } from '../src/kb/policy-values.js';
import { entryPath, serializeEntry, serializePolicyValues, yamlScalar } from '../src/kb/serialize.js';
import { livePolicyValues, versionsInForce } from '../src/kb/versions.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

const ROOT = join(import.meta.dirname, '..');
const KNOWLEDGE_DIR = join(ROOT, 'knowledge');

function run(cli: 'kb-import' | 'kb-export', args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', `src/cli/${cli}.ts`, ...args], {
      cwd: ROOT,
      env: { ...process.env, MONGODB_URI: '', LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Entry files as the loader sees them: `.md` below the folder, not README.md, not `_`-prefixed. */
function entryFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const item of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, item.name);
      if (item.isDirectory()) walk(full);
      else if (item.name.endsWith('.md') && item.name !== 'README.md' && !item.name.startsWith('_')) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `ctxh-kb-${name}-`));

async function lastImport(dataDir: string) {
  const store = openSqliteStore(dataDir);
  try {
    // The entries in force now, each with the version that holds it.
    const approved = await store.knowledgeVersions.listApproved();
    const live = [...versionsInForce(approved, new Date()).values()].map((v) => ({ ...v.entry!, version: v.version }));
    return { audited: await store.audit.list({ action: 'kb.imported' }), live };
  } finally {
    await store.close();
  }
}

describe('serializeEntry', () => {
  const { entries, problems } = loadKnowledge(KNOWLEDGE_DIR);

  it('round-trips every shipped entry, and the shipped files are in canonical form', () => {
    expect(problems).toEqual([]);
    expect(entries.length).toBeGreaterThanOrEqual(120);
    for (const e of entries) {
      const text = serializeEntry(e);
      expect(parseEntry(text, e.file), e.file).toEqual(e);
      expect(entryPath(e), e.file).toBe(e.file.split(sep).join('/'));
      expect(readFileSync(join(KNOWLEDGE_DIR, e.file), 'utf8'), e.file).toBe(text);
    }
  });

  it('round-trips the shipped policy values, and their file is in canonical form', () => {
    const { values, problems: valueProblems } = loadPolicyValues(KNOWLEDGE_DIR);
    expect(valueProblems).toEqual([]);
    expect(values.size).toBeGreaterThanOrEqual(5);
    const text = serializePolicyValues([...values.values()]);
    expect(readFileSync(join(KNOWLEDGE_DIR, POLICY_VALUES_FILE), 'utf8')).toBe(text);
    expect([...parsePolicyValues(text).values.values()]).toEqual([...values.values()].sort((a, b) => a.key.localeCompare(b.key)));
  });

  it('quotes exactly the values YAML would misread', () => {
    const plain = ['2024-07-01', '2025-03', 'Số điện thoại trung tâm?', 'dc bn tiền 1 tháng', 'con tui bị khuyết tật nặng', 'hỏi: "gì"?'];
    for (const v of plain.slice(0, 5)) expect(yamlScalar(v)).toBe(v);
    const quoted = ['2027', '111', 'yes', 'null', '~', 'o hỏi giúp: ông hàng xóm', 'số # mấy', '- gạch đầu', '"trích"', "'trích'", '[a]', '{b}', '*x', '&y', '!z', '%p', '@q', '`r', '|s', '>t', '? u', ' lề', 'kết thúc:', 'hai\ndòng', '...', plain[5]!];
    for (const v of quoted) {
      expect(yamlScalar(v), v).toMatch(/^"/);
    }
    const entry = { id: 'lienhe-hotline', topic: 'lien-he' as const, source: 'Cấu hình của trung tâm', effective: '2027', reviewed: '2026-11-22', body: 'Gọi {{centre.hotline}}.', file: 'lien-he/lienhe-hotline.md' };
    for (const v of [...plain, ...quoted].filter((q) => q.trim().length >= 3)) {
      const e = { ...entry, questions: ['Số điện thoại?', v] };
      expect(parseEntry(serializeEntry(e), e.file), JSON.stringify(v)).toEqual(e);
    }
    expect(serializeEntry({ ...entry, questions: ['Số điện thoại?'] })).toBe(
      '---\nid: lienhe-hotline\ntopic: lien-he\nquestions:\n  - Số điện thoại?\nsource: "Cấu hình của trung tâm"\neffective: "2027"\nreviewed: 2026-11-22\n---\nGọi {{centre.hotline}}.\n',
    );
  });
});

describe('npm run kb:import / kb:export', () => {
  it('exports after importing knowledge/ the same files byte for byte; a second import changes nothing', async () => {
    const dataDir = tempDir('data');
    const env = { DATA_DIR: dataDir, KNOWLEDGE_DIR };
    const shipped = entryFiles(KNOWLEDGE_DIR);

    const first = await run('kb-import', [], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`thêm ${shipped.length}, sửa 0, gỡ 0`);

    const out = join(tempDir('out'), 'knowledge');
    const exported = await run('kb-export', [out], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(entryFiles(out)).toEqual(shipped);
    for (const path of [...shipped, POLICY_VALUES_FILE]) {
      expect(readFileSync(join(out, path), 'utf8'), path).toBe(readFileSync(join(KNOWLEDGE_DIR, path), 'utf8'));
    }

    const second = await run('kb-import', [KNOWLEDGE_DIR], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('thêm 0, sửa 0, gỡ 0');
    expect(second.stdout).toMatch(/Giá trị chính sách: \d+ \(thêm 0, sửa 0, gỡ 0\)/);
    const { audited, live } = await lastImport(dataDir);
    expect(audited).toHaveLength(2);
    expect(audited.map((a) => a.detail)).toContainEqual(expect.objectContaining({ entries: shipped.length, added: 0, changed: 0, retired: 0 }));
    expect(audited.every((a) => a.actor === 'cli' && a.subject === 'knowledge')).toBe(true);
    expect(live.every((e) => e.version === 1)).toBe(true);

    const again = await run('kb-export', [out], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`thêm 0, sửa 0, xóa 0, giữ nguyên ${shipped.length + 1}`);
  });

  it('carries a policy value changed in the folder into the store and back out, and checks placeholders before importing', async () => {
    const dataDir = tempDir('data');
    const env = { DATA_DIR: dataDir };
    const copy = join(tempDir('copy'), 'knowledge');
    cpSync(KNOWLEDGE_DIR, copy, { recursive: true });
    expect((await run('kb-import', [copy], env)).code).toBe(0);
    const file = join(copy, POLICY_VALUES_FILE);
    const edited = readFileSync(file, 'utf8').replace('"2.200.000 đồng"', '"2.250.000 đồng"');
    writeFileSync(file, edited);
    const imported = await run('kb-import', [copy], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/Giá trị chính sách: \d+ \(thêm 0, sửa 1, gỡ 0\)/);
    const out = join(tempDir('out'), 'kb');
    expect((await run('kb-export', [out], env)).code).toBe(0);
    expect(readFileSync(join(out, POLICY_VALUES_FILE), 'utf8')).toBe(edited);

    // An entry that names a value the folder no longer has: nothing is imported.
    writeFileSync(file, edited.replace('key: chuan-ngheo-nong-thon', 'key: chuan-ngheo-nong-thon-cu'));
    const refused = await run('kb-import', [copy], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('{{policy.chuan-ngheo-nong-thon}}');
    const store = openSqliteStore(dataDir);
    try {
      expect(livePolicyValues(await store.policyVersions.listApproved(), new Date()).get('chuan-ngheo-nong-thon')?.values.map((v) => v.value)).toContain('2.250.000 đồng');
    } finally {
      await store.close();
    }
  });

  it('shows an edited entry in the export, removes entries no longer live and leaves other files alone', async () => {
    const dataDir = tempDir('data');
    const env = { DATA_DIR: dataDir };
    const out = join(tempDir('out'), 'kb');
    expect((await run('kb-import', [KNOWLEDGE_DIR], env)).code).toBe(0);
    expect((await run('kb-export', [out], env)).code).toBe(0);
    writeFileSync(join(out, 'README.md'), '# Tri thức của trung tâm\n');
    writeFileSync(join(out, 'lien-he', '_nhap.md'), 'bản nháp, không phải mục\n');
    writeFileSync(join(out, 'lien-he', 'ghi-chu.md'), 'ghi chú, không phải mục\n');

    const copy = join(tempDir('copy'), 'knowledge');
    cpSync(KNOWLEDGE_DIR, copy, { recursive: true });
    const [edited, gone] = entryFiles(copy);
    const editedText = readFileSync(join(copy, edited!), 'utf8').replace(/\n$/, '\n\nĐoạn mới do trung tâm thêm.\n');
    writeFileSync(join(copy, edited!), editedText);
    rmSync(join(copy, gone!));

    const imported = await run('kb-import', [copy], env);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('thêm 0, sửa 1, gỡ 1');

    const exported = await run('kb-export', [out], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain('thêm 0, sửa 1, xóa 1');
    expect(exported.stdout).toContain(`~ ${edited}`);
    expect(exported.stdout).toContain(`- ${gone}`);
    expect(readFileSync(join(out, edited!), 'utf8')).toBe(editedText);
    expect(existsSync(join(out, gone!))).toBe(false);
    expect(entryFiles(out).filter((p) => p !== 'lien-he/ghi-chu.md')).toEqual(entryFiles(copy));
    expect(readFileSync(join(out, 'README.md'), 'utf8')).toBe('# Tri thức của trung tâm\n');
    expect(existsSync(join(out, 'lien-he', '_nhap.md'))).toBe(true);
    expect(existsSync(join(out, 'lien-he', 'ghi-chu.md'))).toBe(true);
    expect(exported.stderr).toContain('lien-he/ghi-chu.md');

    const { live } = await lastImport(dataDir);
    expect(live.find((e) => e.file === edited)?.version).toBe(2);
  });

  it('imports nothing from a folder with one bad file, naming the file and field', async () => {
    const dataDir = tempDir('data');
    const copy = join(tempDir('bad'), 'knowledge');
    cpSync(KNOWLEDGE_DIR, copy, { recursive: true });
    const [bad] = entryFiles(copy);
    writeFileSync(join(copy, bad!), readFileSync(join(copy, bad!), 'utf8').replace(/^effective: .*$/m, 'effective: 1/7/2025'));
    const misplaced = join(copy, 'lien-he', 'bhyt-lac-cho.md');
    mkdirSync(join(copy, 'lien-he'), { recursive: true });
    writeFileSync(misplaced, readFileSync(join(copy, bad!), 'utf8').replace(/^id: .*$/m, 'id: bhyt-lac-cho').replace(/^effective: .*$/m, 'effective: 2025-07-01'));

    const result = await run('kb-import', [copy], { DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${bad}: effective:`);
    expect(result.stderr).toMatch(/lien-he\/bhyt-lac-cho\.md: topic: .*\/bhyt-lac-cho\.md/);
    expect(result.stdout).toBe('');
    const { audited, live } = await lastImport(dataDir);
    expect(live).toEqual([]);
    expect(audited).toEqual([]);
  });

  it('refuses to write into a folder that is not a knowledge folder, or to export an empty store', async () => {
    const dataDir = tempDir('data');
    const other = tempDir('other');
    writeFileSync(join(other, 'luong.xlsx'), 'không phải tri thức');
    const empty = await run('kb-export', [other], { DATA_DIR: dataDir });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/trống/);

    expect((await run('kb-import', [KNOWLEDGE_DIR], { DATA_DIR: dataDir })).code).toBe(0);
    const refused = await run('kb-export', [other], { DATA_DIR: dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/không phải thư mục tri thức/);
    expect(readdirSync(other)).toEqual(['luong.xlsx']);
  });
});
