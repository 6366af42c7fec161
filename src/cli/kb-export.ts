/**
 * `npm run kb:export [-- DIR]`: writes the store's live knowledge as `<topic>/<id>.md`
 * files and `_policy-values.yaml` in DIR (default KNOWLEDGE_DIR), in the canonical format of src/kb/serialize.ts,
 * so the folder can be kept in git and every change reviewed as a diff. Reads the
 * configuration like the server (.env, then the environment) and the same store.
 *
 * DIR is created if missing. It then mirrors the live knowledge: new and changed entries
 * are written, identical files are not touched, and entry files no longer live are
 * removed. Nothing else is deleted (README.md, `_`-prefixed files, other files). A
 * non-empty folder that is not a knowledge folder is refused, as is an empty store.
 *
 * Exit codes: 0 written, 1 refused (not a knowledge folder, or nothing live to export),
 * 2 wrong usage or configuration.
 *
 * @example npm run kb:export -- /srv/ctxh-knowledge && git -C /srv/ctxh-knowledge diff
 */
import { resolve } from 'node:path';
import { exportKnowledge, NotAKnowledgeFolderError, writeKnowledgeFolder } from '../kb/import-export.js';
import { POLICY_VALUES_FILE } from '../kb/policy-values.js';
import { openStore } from '../store/open.js';
import { cliConfig, folderArgument, runCli } from './run.js';

const USAGE = `usage: npm run kb:export [-- DIR]

Writes the live knowledge as files in DIR (default KNOWLEDGE_DIR), created if missing.
Entry files no longer live are removed; other files are never touched.
`;

async function main(argv: string[]): Promise<number> {
  const folder = folderArgument(argv, USAGE);
  if (folder === 'help') return 0;
  if (folder === 2) return 2;
  const config = cliConfig();
  if (config === 2) return 2;

  const dir = resolve(folder ?? config.KNOWLEDGE_DIR);
  const store = await openStore(config);
  let files;
  try {
    files = await exportKnowledge(store);
  } finally {
    await store.close();
  }
  if (files.length === 0) {
    process.stderr.write('Kho tri thức trống: không có gì để xuất (chạy kb:import trước).\n');
    return 1;
  }
  let report;
  try {
    report = writeKnowledgeFolder(dir, files);
  } catch (err) {
    if (err instanceof NotAKnowledgeFolderError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  process.stdout.write(
    `Đã xuất ${files.filter((f) => f.path !== POLICY_VALUES_FILE).length} mục${files.some((f) => f.path === POLICY_VALUES_FILE) ? ' và các giá trị chính sách' : ''} vào ${dir}: thêm ${report.added.length}, sửa ${report.changed.length}, xóa ${report.removed.length}, giữ nguyên ${report.unchanged}.\n`,
  );
  // Each path when there are few (a review); a first export of a whole base is only counted.
  if (report.added.length + report.changed.length + report.removed.length <= 20) {
    for (const [label, paths] of [['+', report.added], ['~', report.changed], ['-', report.removed]] as const) {
      for (const p of paths) process.stdout.write(`  ${label} ${p}\n`);
    }
  }
  for (const p of report.leftAlone) process.stderr.write(`Bỏ qua ${p}: không phải mục hợp lệ, không xóa.\n`);
  return 0;
}

runCli('kb:export', main);
