import type { Logger } from 'pino';
import type { KnowledgeEntry } from '../kb/entry.js';
import { importKnowledge, importPolicyValues } from '../kb/import-export.js';
import { KnowledgeBase } from '../kb/knowledge-base.js';
import { LiveKnowledge } from '../kb/live-knowledge.js';
import { checkPolicyPlaceholders, type PolicyValues } from '../kb/policy-values.js';
import type { AnswerPipeline } from '../flows/answer.js';
import { answerReply, referralReply } from '../flows/replies.js';
import { REFERRAL_TOPIC } from '../kb/topics.js';
import type { Store } from '../store/types.js';
import type { CentreInfo } from './config.js';

/**
 * The live knowledge behind the bot: the store's approved entries and policy values in
 * force (on the first start, the knowledge folder is imported so a fresh machine answers
 * from the demo base; a store that has entries but no policy values yet gets the folder's
 * values), swapped into the answer pipeline whenever they change, and what the console's
 * knowledge editor needs to preview and check a draft the way the bot will answer it.
 *
 * @example
 * const knowledge = await startLiveKnowledge({ store, pipeline, centre, now, log, dir: config.KNOWLEDGE_DIR, pollMs: 5000 });
 * knowledge.live.stop(); // at shutdown
 */
export async function startLiveKnowledge(deps: {
  store: Pick<Store, 'knowledgeVersions' | 'policyVersions' | 'audit'>;
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
  /** The reply for `entry` with other policy values at another moment: the policy values editor's preview. */
  previewWith: (entry: KnowledgeEntry, values: PolicyValues, at: Date) => { text: string; choices: string[] };
  validate: (entry: KnowledgeEntry) => Array<{ field: string; message: string }>;
}> {
  const { store, pipeline, centre, now, log } = deps;
  const noValuesYet = (await store.policyVersions.revision()) === 0;
  if ((await store.knowledgeVersions.revision()) === 0) {
    const counts = await importKnowledge(store, pipeline.kb.entries, { now: now(), actor: 'import', from: deps.dir, ...(noValuesYet ? { policyValues: pipeline.kb.policyValues } : {}) });
    log.info(counts, 'knowledge imported into the store from the knowledge folder (first start)');
  } else if (noValuesYet && pipeline.kb.policyValues.size > 0) {
    const counts = await importPolicyValues(store, [...pipeline.kb.policyValues.values()], { now: now(), actor: 'import' });
    await store.audit.append({ at: now(), actor: 'import', action: 'kb.imported', subject: 'knowledge', detail: { policyValues: counts, from: deps.dir } });
    log.info(counts, 'policy values imported into the store from the knowledge folder (first start with them)');
  }
  const policyValues = () => pipeline.kb.policyValues;
  /** What a citizen reads from this entry: an answer with its source, or a referral to another office. */
  const replyFor = (entry: KnowledgeEntry, values: PolicyValues, at: Date) => {
    const reply = entry.topic === REFERRAL_TOPIC ? referralReply(entry, centre) : answerReply(entry, centre, undefined, { values, at });
    return { text: reply.text, choices: [...reply.choices] };
  };
  const live = new LiveKnowledge({
    versions: store.knowledgeVersions,
    policies: store.policyVersions,
    now,
    onChange: (entries, values) => {
      pipeline.replaceKnowledge(new KnowledgeBase(entries, [], values));
      log.info({ entries: entries.length, policyValues: values.size }, 'knowledge in force changed');
    },
    onError: (err) => log.error({ err }, 'reading the knowledge versions failed; answering from what was loaded'),
  });
  await live.refresh();
  pipeline.onBeforeAnswer(() => live.settle());
  live.start(deps.pollMs);
  return {
    live,
    preview: (entry) => replyFor(entry, policyValues(), now()),
    previewWith: replyFor,
    validate: (entry) => checkPolicyPlaceholders([entry], policyValues(), now()).map((p) => ({ field: p.field, message: p.message })),
  };
}
