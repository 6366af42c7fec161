/**
 * Risk triage: decides, for every text a citizen sends, whether they are in danger now.
 * Pure functions over the reviewed lexicon in `risk-lexicon/`; the turn step that acts
 * on the decision is src/flows/steps/triage-step.ts.
 */
export { assess, contextMayCount, scoreMessage, type Assessment, type AssessedLevel, type MessageScore } from './assess.js';
export { loadLexicon, LexiconError, type Lexicon } from './lexicon.js';
export { triageTokens } from './text.js';

import { fromRoot } from '../../server/paths.js';
import { loadLexicon, type Lexicon } from './lexicon.js';

/** The lexicon shipped with the project. */
export const DEFAULT_LEXICON_DIR = fromRoot('risk-lexicon/');

let shipped: Lexicon | undefined;
/** The shipped lexicon, loaded once per process. */
export function shippedLexicon(): Lexicon {
  shipped ??= loadLexicon(DEFAULT_LEXICON_DIR);
  return shipped;
}
