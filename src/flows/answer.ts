import type { KnowledgeEntry } from '../kb/entry.js';
import type { KnowledgeBase } from '../kb/knowledge-base.js';
import type { SearchHit } from '../kb/retriever.js';
import type { Phraser } from '../kb/llm-phrasing.js';
import type { SemanticReader } from '../kb/semantic.js';
import { withPolicyValues } from '../kb/policy-values.js';
import type { CentreInfo } from '../server/config.js';
import { decideFaq, isGreeting, rankTopics, type FaqDecision, type FaqThresholds } from './faq.js';
import {
  CHOICE_ASK_AGAIN,
  CHOICE_NOT_HELPFUL,
  answerReply,
  askAgainReply,
  counsellorRequestedReply,
  clarifyReply,
  declineReply,
  greetingReply,
  referralReply,
  notHelpfulReply,
  type Reply,
} from './replies.js';
import { foldedPhrase, normalizeSyllables } from '../kb/normalize.js';
import { EVERYDAY_CLASS, REFERRAL_TOPIC } from '../kb/topics.js';
import { questionWithoutContactDetails } from './contact-details.js';
import { namesOurPeople } from './our-people.js';
import { isUmbrellaQuestion } from './vague-question.js';
import type { TopicPrediction } from '../kb/classifier.js';

/** The "Chưa đúng ý" button, however it comes back (tapped, or typed without diacritics). */
const NOT_HELPFUL = foldedPhrase(CHOICE_NOT_HELPFUL);

const COUNSELLOR_TOPIC = 'gap-tu-van-vien';

/**
 * The entry's phrasing that shares the most words with what the citizen wrote (its main
 * question on a tie): a clarify option then reads like their own question.
 *
 * @example closestQuestion(entry, 'ma tui 80 tuoi lanh nhieu') // 'má tui 80 tuổi thì lãnh nhiêu'
 */
export function closestQuestion(entry: KnowledgeEntry, text: string): string {
  const asked = new Set(normalizeSyllables(text));
  let best = entry.questions[0]!;
  let bestScore = -1;
  for (const q of entry.questions) {
    if (q.length > 90) continue; // a button, not a story
    const words = normalizeSyllables(q);
    const shared = words.filter((w) => asked.has(w)).length;
    const score = shared / Math.sqrt(words.length || 1);
    if (score > bestScore + 1e-9) {
      best = q;
      bestScore = score;
    }
  }
  return best;
}

/** What the FAQ made of one free-text message (risk triage runs before it, in src/flows/turn.ts). */
export interface AnswerResult {
  kind: FaqDecision['kind'] | 'greeting' | 'ask-again' | 'not-helpful' | 'counsellor' | 'referral';
  /** The topic the answer is grounded in; null when none is (declined, clarified, or another office's business). */
  topic: string | null;
  /** The entry that answered (a referral entry for another office's business). */
  entryId: string | null;
  /** Another office's business: the office named by the referral entry, else null. */
  referral?: string | null;
  confidence: number;
  /** True when the citizen asked for a counsellor. */
  handoff: boolean;
  reply: Reply;
}

export interface AnswerPipelineOptions {
  kb: KnowledgeBase;
  centre: CentreInfo;
  thresholds: FaqThresholds;
  /** Optional LLM phrasing; the entry's own text is used when it is absent or rejected. */
  phraser?: Phraser;
  /** The clock answers are given by: `{{policy.*}}` shows the value in force then. Defaults to the real clock. */
  now?: () => Date;
  /**
   * Optional semantic retrieval (src/kb/semantic.ts): an embeddings model's reading of the
   * question, combined with BM25's topic like the classifier's. Absent (the default), the
   * offline path decides alone. It reads from the knowledge it was last indexed with:
   * replaceKnowledge indexes the new entries.
   */
  semantic?: Pick<SemanticReader, 'predict' | 'index'>;
  /** Called before each answer: a knowledge version scheduled for this moment comes in first (src/kb/live-knowledge.ts). */
  settleKnowledge?: () => void;
}

/**
 * decideFaq over the hits, then two readings of the question's own words:
 * - help in general ("trợ cấp", "chế độ": isUmbrellaQuestion) is asked about: which of
 *   the topics that fit best is meant (answering from whichever ranked first would guess);
 * - another office's business is ours after all when the question names someone we
 *   serve (namesOurPeople): see oursAfterAll.
 */
function decideFor(question: string, umbrella: boolean, hits: readonly SearchHit[], thresholds: FaqThresholds, prediction: TopicPrediction, semantic: TopicPrediction | undefined): FaqDecision {
  const decision = decideFaq(hits, thresholds, prediction, semantic);
  if (umbrella) {
    const options = rankTopics(hits.filter((h) => h.entry.topic !== REFERRAL_TOPIC)).slice(0, 3).map((t) => t.best);
    if (options.length >= 2) return { kind: 'clarify', options, confidence: decision.confidence };
  }
  return oursAfterAll(question, decision, hits, thresholds, prediction);
}

/**
 * A referral set aside for our own entry when the question names someone we serve, our
 * entries alone would answer it, and the classifier's likeliest topic of ours is the
 * same (without that check a near-poor child's school fees went to vocational training).
 * The same when the classifier's reading of another office is what kept our entry from
 * answering ("bố tôi đang nhận trợ cấp người cao tuổi, thẻ bảo hiểm hết hạn thì gia hạn ở
 * đâu": his card is ours). Either way the classifier's reading among our topics counts as
 * it would for any question of ours.
 */
function oursAfterAll(question: string, decision: FaqDecision, hits: readonly SearchHit[], thresholds: FaqThresholds, prediction: TopicPrediction): FaqDecision {
  if (decision.kind === 'answer' && decision.hit.entry.topic !== REFERRAL_TOPIC) return decision;
  // Another office was read: a referral answers, or the classifier's reading of one took our answer's confidence.
  const otherOffice = decision.kind === 'answer' || prediction.topic === REFERRAL_TOPIC;
  if (!otherOffice || !namesOurPeople(question)) return decision;
  // The classifier's reading among our own topics only: how sure it is which of ours is meant.
  let likeliest: string | null = null;
  let p = -1;
  let ourMass = 0;
  for (const [topic, q] of prediction.probabilities) {
    if (topic === REFERRAL_TOPIC || topic === EVERYDAY_CLASS) continue;
    ourMass += q;
    if (q > p) [likeliest, p] = [topic, q];
  }
  if (!likeliest || ourMass <= 0) return decision;
  const amongOurs: TopicPrediction = { topic: likeliest, probability: p / ourMass, probabilities: prediction.probabilities };
  const ours = decideFaq(hits.filter((h) => h.entry.topic !== REFERRAL_TOPIC), thresholds, amongOurs);
  return ours.kind === 'answer' && ours.hit.entry.topic === likeliest ? ours : decision;
}

/** The FAQ: what the bot answers to a free-text question, without any I/O. */
export class AnswerPipeline {
  constructor(private readonly options: AnswerPipelineOptions) {}

  get kb(): KnowledgeBase {
    return this.options.kb;
  }

  /** Answers from these entries from now on (staff approved a version, or a scheduled one came in). */
  replaceKnowledge(kb: KnowledgeBase): void {
    this.options.kb = kb;
    // Until the new entries are embedded, the semantic reading is of the old ones: it only
    // ever raises confidence in the topic BM25 found in the new knowledge.
    void this.options.semantic?.index(kb.entries);
  }

  /** Sets what brings scheduled knowledge in before each answer. */
  onBeforeAnswer(settle: () => void): void {
    this.options.settleKnowledge = settle;
  }

  /** `at` (default: the pipeline's clock) picks the policy values in force. */
  async answer(text: string, at: Date = (this.options.now ?? (() => new Date()))()): Promise<AnswerResult> {
    this.options.settleKnowledge?.();
    const { kb, centre, thresholds } = this.options;
    const base = { handoff: false };
    if (text.trim() === CHOICE_ASK_AGAIN) {
      return { ...base, kind: 'ask-again', topic: null, entryId: null, confidence: 0, reply: askAgainReply() };
    }
    if (foldedPhrase(text) === NOT_HELPFUL) {
      return { ...base, kind: 'not-helpful', topic: null, entryId: null, confidence: 0, reply: notHelpfulReply() };
    }
    if (isGreeting(text)) {
      return { ...base, kind: 'greeting', topic: null, entryId: null, confidence: 0, reply: greetingReply(centre) };
    }
    // A phrasing of an entry, word for word (a tapped clarify option, or a citizen who typed
    // exactly that): answered from that entry at once, with no retrieval to second-guess it.
    // The question without the phone or ID number added to it, which no entry holds.
    const question = questionWithoutContactDetails(text);
    const tapped = kb.byExactQuestion(question);
    if (tapped) return this.answerFrom(tapped, 1, [], question, at);
    const hits = kb.search(question, 12);
    const semantic = await this.options.semantic?.predict(question);
    const umbrella = isUmbrellaQuestion(question);
    const decision = decideFor(question, umbrella, hits, thresholds, kb.classify(question), semantic);
    switch (decision.kind) {
      case 'answer':
        return this.answerFrom(decision.hit.entry, decision.confidence, hits, question, at);
      case 'clarify':
        return {
          ...base,
          kind: 'clarify',
          topic: null,
          entryId: null,
          confidence: decision.confidence,
          // Each option in the citizen's own words: the entry's phrasing closest to what they
          // wrote; for help in general nothing is closer than anything else, so its main question.
          reply: clarifyReply(decision.options.map((h) => (umbrella ? h.entry.questions[0]! : closestQuestion(h.entry, question)))),
        };
      case 'decline':
        return { ...base, kind: 'decline', topic: null, entryId: null, confidence: decision.confidence, reply: declineReply(centre) };
    }
  }

  /** The reply grounded in `entry` (a referral or a counsellor request when the entry is one). */
  private async answerFrom(entry: KnowledgeEntry, confidence: number, hits: readonly SearchHit[], text: string, at: Date): Promise<AnswerResult> {
    const { kb, centre, phraser } = this.options;
    const base = { handoff: false };
    if (entry.topic === REFERRAL_TOPIC) {
      // Another office's business: say who handles it; ground nothing in our policy entries.
      return { ...base, kind: 'referral', topic: null, entryId: entry.id, referral: entry.office ?? null, confidence, reply: referralReply(entry, centre) };
    }
    if (entry.topic === COUNSELLOR_TOPIC) {
      // Asking for a person is a request to act on, not a question to explain.
      return { ...base, kind: 'counsellor', topic: entry.topic, entryId: entry.id, confidence, handoff: true, reply: counsellorRequestedReply(centre) };
    }
    // The chosen entry first, so the phraser's [1] is the one the answer stands on.
    // Bodies carry the values in force today: the model never sees a placeholder.
    const policy = { values: kb.policyValues, at };
    const context = [entry, ...hits.map((h) => h.entry).filter((e) => e.id !== entry.id)].slice(0, 3).map((e) => withPolicyValues(e, policy));
    const phrased = phraser ? await phraser.phrase(text, context, centre) : null;
    return { ...base, kind: 'answer', topic: entry.topic, entryId: entry.id, confidence, reply: answerReply(entry, centre, phrased ?? undefined, policy) };
  }
}
