import { resolve } from 'node:path';
import { AnswerPipeline } from '../flows/answer.js';
import { KnowledgeBase } from '../kb/knowledge-base.js';
import { createConfiguredPhraser, hasLlmEndpoint, llmEndpointOptions, type LlmConfig } from '../kb/llm-phrasing.js';
import { SemanticReader, memoryEmbeddingCache } from '../kb/semantic.js';
import type { EmbeddingRepository } from '../store/embedding-types.js';
import type { CentreInfo, Config } from './config.js';

/**
 * The configured semantic retrieval (src/kb/semantic.ts), indexed over `kb`'s entries;
 * undefined when EMBEDDINGS_MODEL or the endpoint (OPENAI_API_KEY or OPENAI_BASE_URL) is
 * not set. An endpoint that fails now is warned about and the bot starts without it.
 */
export async function createConfiguredSemantic(
  config: LlmConfig & { EMBEDDINGS_MODEL?: string },
  kb: KnowledgeBase,
  cache: EmbeddingRepository,
  warn: (message: string) => void,
): Promise<SemanticReader | undefined> {
  if (!config.EMBEDDINGS_MODEL) return undefined;
  if (!hasLlmEndpoint(config)) {
    warn('EMBEDDINGS_MODEL is set but no endpoint is (OPENAI_API_KEY or OPENAI_BASE_URL): answering without semantic retrieval');
    return undefined;
  }
  const { OpenAIEmbeddings } = await import('@langchain/openai');
  const embeddings = new OpenAIEmbeddings({ model: config.EMBEDDINGS_MODEL, ...llmEndpointOptions(config) });
  const semantic = new SemanticReader({
    model: config.EMBEDDINGS_MODEL,
    embeddings,
    cache,
    onError: (err) => warn(`semantic retrieval failed, answering without it: ${err instanceof Error ? err.message : String(err)}`),
  });
  await semantic.index(kb.entries);
  return semantic;
}

/**
 * Loads knowledge and builds the answer pipeline the bot and `ask` share. `embeddingCache`:
 * where semantic retrieval keeps entry vectors (the store's; `ask` keeps them in memory).
 */
export async function buildAnswerPipeline(
  config: Config,
  centre: CentreInfo,
  warn: (message: string) => void,
  /** The assistant's clock: answers show the policy values in force by it. */
  now: () => Date = () => new Date(),
  embeddingCache: EmbeddingRepository = memoryEmbeddingCache(),
): Promise<AnswerPipeline> {
  const kb = KnowledgeBase.fromDirectory(resolve(config.KNOWLEDGE_DIR), { now: now() });
  for (const p of kb.problems) warn(`knowledge: ${p.file}: ${p.field}: ${p.message}`);
  const phraser = await createConfiguredPhraser(config, (err) =>
    warn(`llm phrasing failed, using the entry text: ${err instanceof Error ? err.message : String(err)}`),
  );
  const semantic = await createConfiguredSemantic(config, kb, embeddingCache, warn);
  return new AnswerPipeline({
    kb,
    centre,
    thresholds: { answer: config.FAQ_ANSWER_THRESHOLD, clarify: config.FAQ_CLARIFY_THRESHOLD },
    phraser,
    semantic,
    now,
  });
}
