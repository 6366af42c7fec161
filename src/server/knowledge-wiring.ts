import type { Logger } from 'pino';
import type { KnowledgeEntry } from '../kb/entry.js';
import { importKnowledge } from '../kb/import-export.js';
import { KnowledgeBase } from '../kb/knowledge-base.js';
import { LiveKnowledge } from '../kb/live-knowledge.js';
import { checkPolicyPlaceholders } from '../kb/policy-values.js';
import type { AnswerPipeline } from '../flows/answer.js';
import { answerReply } from '../flows/replies.js';
import type { Store } from '../store/types.js';
import type { CentreInfo } from './config.js';

/**
 * The live knowledge behind the bot: the store's approved versions in force (on the first
 * start, the knowledge folder is imported so a fresh machine answers from the demo base),
 * swapped into the answer pipeline whenever they change, and what the console's knowledge
 * editor needs to preview and check a draft the way the bot will answer it.
 *
 * @example
 * const knowledge = await startLiveKnowledge({ store, pipeline, centre, now, log, dir: config.KNOWLEDGE_DIR, pollMs: 5000 });
 * knowledge.live.stop(); // at shutdown
 */
export async function startLiveKnowledge(deps: {
  store: Pick<Store, 'knowledgeVersions' | 'audit'>;
  pipeline: AnswerPipeline;
  centre: CentreInfo;
  now: () => Date;
  log: Logger;
  /** The folder the pipeline was loaded from: imported when the store has no knowledge yet. */
  dir: string;
  pollMs: number;
}): Promise<{
  live: LiveKnowledge;
  preview: (entry: KnowledgeEntry) => { text: string; choices: string[] };
  validate: (entry: KnowledgeEntry) => Array<{ field: string; message: string }>;
}> {
  const { store, pipeline, centre, now, log } = deps;
  if ((await store.knowledgeVersions.revision()) === 0) {
    const counts = await importKnowledge(store, pipeline.kb.entries, { now: now(), actor: 'import', from: deps.dir });
    log.info(counts, 'knowledge imported into the store from the knowledge folder (first start)');
  }
  const policyValues = () => pipeline.kb.policyValues;
  const live = new LiveKnowledge({
    versions: store.knowledgeVersions,
    now,
    onChange: (entries) => {
      pipeline.replaceKnowledge(new KnowledgeBase(entries, [], policyValues()));
      log.info({ entries: entries.length }, 'knowledge in force changed');
    },
    onError: (err) => log.error({ err }, 'reading the knowledge versions failed; answering from what was loaded'),
  });
  await live.refresh();
  pipeline.onBeforeAnswer(() => live.settle());
  live.start(deps.pollMs);
  return {
    live,
    preview: (entry) => {
      const reply = answerReply(entry, centre, undefined, { values: policyValues(), at: now() });
      return { text: reply.text, choices: [...reply.choices] };
    },
    validate: (entry) => checkPolicyPlaceholders([entry], policyValues(), now()).map((p) => ({ field: p.field, message: p.message })),
  };
}
