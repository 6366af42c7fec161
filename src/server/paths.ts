/**
 * Files the server reads at run time (web pages, the risk lexicon, admin-units data) are
 * found from the project root, so the same code works under tsx (src/…) and compiled
 * (dist/src/…, see tsconfig.build.json) without copying them into dist.
 *
 * @example fromRoot('src', 'web') // <project>/src/web, from src/server/paths.ts or dist/src/server/paths.js
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory at or above `start` holding a package.json. */
export function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json at or above ${start}`);
  }
}

/** The project root: the directory holding package.json, above this file in src/ or dist/. */
export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path under the project root (path.join: a trailing `/` on the last part is kept). */
export function fromRoot(...parts: string[]): string {
  return join(PROJECT_ROOT, ...parts);
}
