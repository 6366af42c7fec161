import { resolve } from 'node:path';
import { AnswerPipeline } from '../flows/answer.js';
import { KnowledgeBase } from '../kb/knowledge-base.js';
import { createConfiguredPhraser } from '../kb/llm-phrasing.js';
import type { CentreInfo, Config } from './config.js';

/** Loads knowledge and builds the answer pipeline the bot and `ask` share. */
export async function buildAnswerPipeline(
  config: Config,
  centre: CentreInfo,
  warn: (message: string) => void,
  /** The assistant's clock: answers show the policy values in force by it. */
  now: () => Date = () => new Date(),
): Promise<AnswerPipeline> {
  const kb = KnowledgeBase.fromDirectory(resolve(config.KNOWLEDGE_DIR), { now: now() });
  for (const p of kb.problems) warn(`knowledge: ${p.file}: ${p.field}: ${p.message}`);
  const phraser = await createConfiguredPhraser(config, (err) =>
    warn(`llm phrasing failed, using the entry text: ${err instanceof Error ? err.message : String(err)}`),
  );
  return new AnswerPipeline({
    kb,
    centre,
    thresholds: { answer: config.FAQ_ANSWER_THRESHOLD, clarify: config.FAQ_CLARIFY_THRESHOLD },
    phraser,
    now,
  });
}
