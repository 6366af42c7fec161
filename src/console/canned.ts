/**
 * Canned responses: reviewed texts a counsellor inserts and edits before sending. One
 * YAML file (CANNED_RESPONSES_FILE, default config/canned-responses.yaml), checked at
 * start: a mistake stops start-up with the entry at fault, like the knowledge base.
 *
 * @example const canned = loadCannedResponses('config/canned-responses.yaml', centre);
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { renderCentrePlaceholders } from '../kb/render.js';
import type { CentreInfo } from '../server/config.js';

const entry = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'id: lowercase letters, digits and -'),
  title: z.string().min(1).max(60),
  text: z.string().min(1).max(2000),
});

export type CannedResponse = z.infer<typeof entry>;

export function parseCannedResponses(yamlText: string, centre: CentreInfo): CannedResponse[] {
  const parsed = z.array(entry).safeParse(parse(yamlText) ?? []);
  if (!parsed.success) {
    throw new Error(`canned responses: ${parsed.error.issues.map((i) => `[${i.path.join('.')}] ${i.message}`).join('; ')}`);
  }
  const ids = new Set<string>();
  for (const c of parsed.data) {
    if (ids.has(c.id)) throw new Error(`canned responses: id "${c.id}" is used twice`);
    ids.add(c.id);
  }
  return parsed.data.map((c) => ({ ...c, text: renderCentrePlaceholders(c.text, centre) }));
}

/** A missing file means no canned responses; a broken one throws. */
export function loadCannedResponses(file: string, centre: CentreInfo): CannedResponse[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return parseCannedResponses(text, centre);
}
