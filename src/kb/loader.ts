import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { entryFrontMatterSchema, type KnowledgeEntry } from './entry.js';

export interface LoadProblem {
  file: string;
  field: string;
  message: string;
}

export interface LoadResult {
  entries: KnowledgeEntry[];
  problems: LoadProblem[];
}

function listMarkdown(dir: string): string[] {
  const out: string[] = [];
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, item.name);
    if (item.isDirectory()) out.push(...listMarkdown(full));
    // Files starting with "_" are not entries (knowledge/_policy-values.yaml and the like).
    else if (item.name.endsWith('.md') && item.name !== 'README.md' && !item.name.startsWith('_')) out.push(full);
  }
  return out.sort();
}

/** Splits `---\nyaml\n---\nbody`; null when the file has no front matter. */
function splitFrontMatter(text: string): { yaml: string; body: string } | null {
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!m) return null;
  return { yaml: m[1] ?? '', body: (m[2] ?? '').trim() };
}

/** Parses one knowledge file; problems name the field so staff can fix it. */
export function parseEntry(text: string, file: string): KnowledgeEntry | LoadProblem[] {
  const parts = splitFrontMatter(text);
  if (!parts) return [{ file, field: '(front matter)', message: 'thiếu phần --- ở đầu tệp' }];
  let data: unknown;
  try {
    data = parseYaml(parts.yaml);
  } catch (err) {
    return [{ file, field: '(front matter)', message: `YAML lỗi: ${(err as Error).message}` }];
  }
  const parsed = entryFrontMatterSchema.safeParse(data);
  const problems: LoadProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({
        file,
        field: i.path.join('.') || '(front matter)',
        message: i.message,
      }));
  if (!parts.body) problems.push({ file, field: 'body', message: 'câu trả lời trống' });
  if (parsed.success && parsed.data.id !== basename(file, '.md')) {
    problems.push({ file, field: 'id', message: `phải trùng tên tệp (${basename(file, '.md')})` });
  }
  if (problems.length > 0 || !parsed.success) return problems;
  return { ...parsed.data, body: parts.body, file };
}

/**
 * Loads every entry below `dir`. A bad file is reported and skipped; the others still
 * load, so one typo by staff never takes the assistant down.
 */
export function loadKnowledge(dir: string): LoadResult {
  const entries: KnowledgeEntry[] = [];
  const problems: LoadProblem[] = [];
  const seen = new Map<string, string>();
  for (const full of listMarkdown(dir)) {
    const file = relative(dir, full);
    const result = parseEntry(readFileSync(full, 'utf8'), file);
    if (Array.isArray(result)) {
      problems.push(...result);
      continue;
    }
    const earlier = seen.get(result.id);
    if (earlier) {
      problems.push({ file, field: 'id', message: `trùng id với ${earlier}` });
      continue;
    }
    seen.set(result.id, file);
    entries.push(result);
  }
  return { entries, problems };
}
