/**
 * `npm run kb:import [-- DIR]`: makes the store's live knowledge exactly the entries and
 * the policy values (`_policy-values.yaml`) in DIR (default KNOWLEDGE_DIR): the repository's demo base or a centre's own folder of
 * `<topic>/<id>.md` files (format: knowledge/README.md). Reads the configuration like
 * the server (.env, then the environment) and writes to the same store (DATA_DIR or
 * MONGODB_URI).
 *
 * All or nothing: every file is validated first; any problem is printed by file and
 * field and nothing is imported. Entries missing from DIR are no longer live (their
 * versions are kept). The import is recorded in the audit log (`kb.imported`, actor 'cli').
 *
 * Exit codes: 0 imported, 1 a file is invalid or DIR holds no entries, 2 wrong usage or configuration.
 *
 * @example npm run kb:import -- /srv/ctxh-knowledge
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkLayout, importKnowledge, notCanonical } from '../kb/import-export.js';
import { loadKnowledge } from '../kb/loader.js';
import { checkPolicyPlaceholders, loadPolicyValues } from '../kb/policy-values.js';
import { openStore } from '../store/open.js';
import { cliConfig, folderArgument, runCli } from './run.js';

const USAGE = `usage: npm run kb:import [-- DIR]

Imports every knowledge file below DIR (default KNOWLEDGE_DIR) into the store: the live
knowledge becomes exactly these entries. Nothing is imported if any file is invalid.
`;

async function main(argv: string[]): Promise<number> {
  const folder = folderArgument(argv, USAGE);
  if (folder === 'help') return 0;
  if (folder === 2) return 2;
  const config = cliConfig();
  if (config === 2) return 2;

  const dir = resolve(folder ?? config.KNOWLEDGE_DIR);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    process.stderr.write(`Không có thư mục ${dir}\n`);
    return 2;
  }
  const { entries, problems } = loadKnowledge(dir);
  const policy = loadPolicyValues(dir);
  const now = new Date();
  problems.push(...checkLayout(entries), ...policy.problems, ...checkPolicyPlaceholders(entries, policy.values, now));
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${p.file}: ${p.field}: ${p.message}\n`);
    const files = new Set(problems.map((p) => p.file)).size;
    process.stderr.write(`Không nhập gì: ${problems.length} lỗi trong ${files} tệp. Sửa rồi chạy lại.\n`);
    return 1;
  }
  if (entries.length === 0) {
    process.stderr.write(`Không có mục nào trong ${dir}: không nhập (kho sẽ trống).\n`);
    return 1;
  }

  const store = await openStore(config);
  try {
    const counts = await importKnowledge(store, entries, { now, actor: 'cli', from: dir, policyValues: policy.values });
    const values = counts.policyValues!;
    process.stdout.write(
      `Đã nhập ${counts.entries} mục từ ${dir} (${store.kind}): thêm ${counts.added}, sửa ${counts.changed}, gỡ ${counts.retired}.\n` +
        `Giá trị chính sách: ${values.values} (thêm ${values.added}, sửa ${values.changed}, gỡ ${values.retired}).\n`,
    );
    const reformat = notCanonical(dir, entries, policy.values);
    if (reformat.length > 0) {
      process.stdout.write(`${reformat.length} tệp chưa ở dạng chuẩn; kb:export sẽ định dạng lại (nội dung không đổi): ${reformat.slice(0, 5).join(', ')}${reformat.length > 5 ? ', …' : ''}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

runCli('kb:import', main);
