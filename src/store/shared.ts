import { createHash, randomUUID } from 'node:crypto';
import type { KnowledgeEntry } from '../kb/entry.js';
import type { RiskLevel } from './types.js';

/** Content hash of an entry: a new version is kept only when this changes. */
export function entryHash(entry: KnowledgeEntry): string {
  const { id, topic, questions, source, effective, reviewed, body } = entry;
  return createHash('sha256')
    .update(JSON.stringify({ id, topic, questions, source, effective, reviewed, body }))
    .digest('hex');
}

/** eTags are opaque; a random one cannot be guessed by a stale writer. */
export function newETag(): string {
  return randomUUID();
}

/** The levels a risk of `level` may replace: none (null) and every lower level. */
export function riskLevelsBelow(level: RiskLevel): RiskLevel[] {
  switch (level) {
    case 'check-in':
      return [];
    case 'urgent':
      return ['check-in'];
    default:
      throw new Error(`unknown risk level: ${String(level)}`);
  }
}
