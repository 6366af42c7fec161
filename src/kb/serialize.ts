/**
 * The canonical text of a knowledge file: what `npm run kb:export` writes and what the
 * shipped files in knowledge/ look like, so an export after an import changes nothing and
 * a centre reviewing its knowledge in git sees only real edits in the diff.
 *
 * ```markdown
 * ---
 * id: <id>
 * topic: <topic>
 * office: <referral entries only: the office that handles it>
 * questions:
 *   - <one per line, main question first>
 * source: "<always double-quoted>"
 * effective: <YYYY-MM-DD, YYYY-MM, or "YYYY" (quoted: YAML would read a bare year as a number)>
 * reviewed: <YYYY-MM-DD>
 * ---
 * <body, trimmed>
 * ```
 *
 * Keys are always in this order. A value is written plain when YAML reads it back as the
 * same string, otherwise double-quoted with JSON escapes (a valid YAML double-quoted
 * scalar); `source` is always quoted because legal citations so often hold `: ` or `;`.
 * Pure: no file access.
 */
import { parse as parseYaml } from 'yaml';
import { ENTRY_TOPICS } from './topics.js';
import type { KnowledgeEntry } from './entry.js';
import type { PolicyValue } from './policy-values.js';

/** Characters that start a YAML indicator (or a quoted scalar) when first in a plain scalar. */
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;

/** True when `value` may stand unquoted as a YAML scalar and read back as the same string. */
function plainIsSafe(value: string): boolean {
  if (value === '' || value !== value.trim()) return false;
  // Control characters, line breaks and a BOM never go plain.
  if (/[\u0000-\u001f\u007f\u0085\u2028\u2029\ufeff]/.test(value)) return false;
  if (INDICATOR_START.test(value)) return false;
  if (value.includes(': ') || value.includes(' #') || value.endsWith(':')) return false;
  // YAML 1.1 tools (PyYAML, some editors) read these as booleans: quoted, every tool agrees.
  if (/^(y|n|yes|no|on|off)$/i.test(value)) return false;
  // Anything YAML would read as a number, boolean, null or other type stays a string only quoted.
  try {
    return parseYaml(value) === value;
  } catch {
    return false;
  }
}

/**
 * One scalar as YAML: plain when that reads back unchanged, else double-quoted.
 *
 * @example yamlScalar('2024-07-01') // '2024-07-01'
 * @example yamlScalar('2027') // '"2027"'
 * @example yamlScalar('o hỏi giúp: ông hàng xóm') // '"o hỏi giúp: ông hàng xóm"'
 */
export function yamlScalar(value: string, options: { quote?: boolean } = {}): string {
  return !options.quote && plainIsSafe(value) ? value : JSON.stringify(value);
}

/**
 * The canonical file text of an entry. `parseEntry(serializeEntry(e), entryPath(e))`
 * gives back `e` (the body is stored trimmed, as the loader reads it).
 *
 * @example
 * serializeEntry({ id: 'lienhe-hotline', topic: 'lien-he', questions: ['Số điện thoại?', 'sdt la gi'],
 *   source: 'Cấu hình của trung tâm', effective: '2026', reviewed: '2026-11-22', body: 'Gọi {{centre.hotline}}.', file: '' });
 * // '---\nid: lienhe-hotline\ntopic: lien-he\nquestions:\n  - Số điện thoại?\n  - sdt la gi\n'
 * // + 'source: "Cấu hình của trung tâm"\neffective: "2026"\nreviewed: 2026-11-22\n---\nGọi {{centre.hotline}}.\n'
 */
export function serializeEntry(entry: KnowledgeEntry): string {
  const lines = [
    '---',
    `id: ${yamlScalar(entry.id)}`,
    `topic: ${yamlScalar(entry.topic)}`,
    ...(entry.office !== undefined ? [`office: ${yamlScalar(entry.office)}`] : []),
    'questions:',
    ...entry.questions.map((q) => `  - ${yamlScalar(q)}`),
    `source: ${yamlScalar(entry.source, { quote: true })}`,
    `effective: ${yamlScalar(String(entry.effective))}`,
    `reviewed: ${yamlScalar(String(entry.reviewed))}`,
    '---',
    entry.body.trim(),
  ];
  return `${lines.join('\n')}\n`;
}

const SAFE_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Where an entry lives below a knowledge folder: `<topic>/<id>.md`, always with `/`.
 * Throws for an id or topic that could not be a file name there (never a path outside the folder).
 *
 * @example entryPath({ id: 'nkt-muc-tro-cap-hang-thang', topic: 'tro-cap-nguoi-khuyet-tat', ... })
 * // 'tro-cap-nguoi-khuyet-tat/nkt-muc-tro-cap-hang-thang.md'
 */
export function entryPath(entry: Pick<KnowledgeEntry, 'id' | 'topic'>): string {
  if (!SAFE_ID.test(entry.id)) throw new Error(`not a valid entry id: ${JSON.stringify(entry.id)}`);
  if (!(ENTRY_TOPICS as readonly string[]).includes(entry.topic)) throw new Error(`not a known topic: ${JSON.stringify(entry.topic)}`);
  return `${entry.topic}/${entry.id}.md`;
}

/** The comment heading an exported `_policy-values.yaml`: the format in a few lines. */
export const POLICY_VALUES_HEADER = `# Policy values with dates: amounts and wording that many entries share.
# An entry writes {{policy.<key>}} (or {{policy.<key>.from}}, {{policy.<key>.previous}});
# the answer shows the value in force on the day the citizen asks (Vietnam time).
# To announce a change, add a value with its \`from\` date: nothing else needs editing,
# and nothing needs restarting on that day (console: Kiến thức → Giá trị chính sách).
# Every value names its legal source. Written by \`npm run kb:export\` in this order;
# other comments are not kept. See knowledge/README.md ("Policy values with dates").
`;

/**
 * The canonical `_policy-values.yaml`: {@link POLICY_VALUES_HEADER}, then the values by
 * key, each amount oldest first; `value` and `source` always double-quoted.
 * `parsePolicyValues(serializePolicyValues(v))` gives back `v`.
 *
 * @example
 * serializePolicyValues([{ key: 'muc-chuan', label: 'Mức chuẩn', values: [{ value: '500.000 đồng', from: '2024-07-01', source: 'Nghị định 76/2024/NĐ-CP' }], reviewed: '2026-11-22' }])
 * // POLICY_VALUES_HEADER + '\n- key: muc-chuan\n  label: Mức chuẩn\n  values:\n    - value: "500.000 đồng"\n      from: 2024-07-01\n'
 * // + '      source: "Nghị định 76/2024/NĐ-CP"\n  reviewed: 2026-11-22\n'
 */
export function serializePolicyValues(values: readonly PolicyValue[]): string {
  const blocks = [...values]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((v) =>
      [
        `- key: ${yamlScalar(v.key)}`,
        `  label: ${yamlScalar(v.label)}`,
        ...(v.unit !== undefined ? [`  unit: ${yamlScalar(v.unit)}`] : []),
        '  values:',
        ...[...v.values]
          .sort((a, b) => a.from.localeCompare(b.from))
          .flatMap((d) => [`    - value: ${yamlScalar(d.value, { quote: true })}`, `      from: ${yamlScalar(d.from)}`, `      source: ${yamlScalar(d.source, { quote: true })}`]),
        `  reviewed: ${yamlScalar(v.reviewed)}`,
      ].join('\n'),
    );
  return `${POLICY_VALUES_HEADER}\n${blocks.join('\n\n')}\n`;
}
