/**
 * Builds the turn (triage → handoff gate → FAQ) that the bot and `ask` share, from one
 * configuration: knowledge, risk lexicon, optional LLM phrasing and second opinion.
 */
import { resolve } from 'node:path';
import type { AnswerPipeline } from '../flows/answer.js';
import { DEFAULT_LEXICON_DIR, loadLexicon, type Lexicon } from '../flows/triage/index.js';
import { LlmSecondOpinion, type SecondOpinion } from '../flows/triage/second-opinion.js';
import { buildTurn, type DecideTurn } from '../flows/turn.js';
import { createConfiguredChatModel } from '../kb/llm-phrasing.js';
import { buildAnswerPipeline } from './answer-wiring.js';
import type { CentreInfo, Config } from './config.js';
import type { EmbeddingRepository } from '../store/embedding-types.js';

export interface TurnWiring {
  pipeline: AnswerPipeline;
  lexicon: Lexicon;
  secondOpinion?: SecondOpinion;
  decide: DecideTurn;
}

export async function buildTurnWiring(
  config: Config,
  centre: CentreInfo,
  warn: (message: string) => void,
  /** The assistant's clock (policy values in force); the real clock when absent. */
  now?: () => Date,
  /** Where semantic retrieval keeps entry vectors (the store's); in memory when absent. */
  embeddingCache?: EmbeddingRepository,
): Promise<TurnWiring> {
  const pipeline = await buildAnswerPipeline(config, centre, warn, now, embeddingCache);
  // A lexicon with a mistake stops start-up: it must never silently mean "nothing is urgent".
  const lexicon = loadLexicon(config.RISK_LEXICON_DIR ? resolve(config.RISK_LEXICON_DIR) : DEFAULT_LEXICON_DIR);
  let secondOpinion: SecondOpinion | undefined;
  if (config.TRIAGE_LLM_SECOND_OPINION) {
    const model = await createConfiguredChatModel(config);
    if (model) {
      secondOpinion = new LlmSecondOpinion(model, (err) =>
        warn(`triage second opinion failed, the lexicon decides alone: ${err instanceof Error ? err.message : String(err)}`),
      );
    } else warn('TRIAGE_LLM_SECOND_OPINION is on but no LLM is configured (OPENAI_API_KEY or OPENAI_BASE_URL): the lexicon decides alone');
  }
  const intake = {
    config: {
      notice: { version: config.CONSENT_TEXT_VERSION, centreName: centre.name, retentionDays: config.CASE_RETENTION_DAYS },
      childAgeLimit: config.CHILD_CONSENT_AGE,
      hotline: centre.hotline,
    },
    resumeDays: config.INTAKE_RESUME_DAYS,
  };
  return { pipeline, lexicon, secondOpinion, decide: buildTurn({ pipeline, lexicon, centre, secondOpinion, intake }) };
}
