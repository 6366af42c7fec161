import type { KnowledgeEntry } from './entry.js';
import { foldedPhrase } from './normalize.js';
import { loadKnowledge, type LoadProblem } from './loader.js';
import { checkPolicyPlaceholders, loadPolicyValues, type PolicyValues } from './policy-values.js';
import { Retriever, type SearchHit } from './retriever.js';
import { classifierFor, type TopicClassifier, type TopicPrediction } from './classifier.js';

/** The loaded knowledge with its retriever; replaced whole when staff change entries. */
export class KnowledgeBase {
  readonly retriever: Retriever;
  private readonly byId: Map<string, KnowledgeEntry>;

  constructor(
    readonly entries: readonly KnowledgeEntry[],
    readonly problems: readonly LoadProblem[] = [],
    /** Dated values the entries' `{{policy.*}}` placeholders are filled from at answer time. */
    readonly policyValues: PolicyValues = new Map(),
  ) {
    this.retriever = new Retriever(entries);
    this.byId = new Map(entries.map((e) => [e.id, e]));
  }

  /**
   * Loads the entries and `_policy-values.yaml` beside them. Every entry's placeholders
   * are checked against the values in force at `now` (the assistant's clock); problems
   * are reported, never fatal.
   */
  static fromDirectory(dir: string, options: { now?: Date } = {}): KnowledgeBase {
    const { entries, problems } = loadKnowledge(dir);
    const policy = loadPolicyValues(dir);
    const usage = checkPolicyPlaceholders(entries, policy.values, options.now ?? new Date());
    return new KnowledgeBase(entries, [...problems, ...policy.problems, ...usage], policy.values);
  }

  private trained: TopicClassifier | undefined;
  private exact: Map<string, KnowledgeEntry> | undefined;

  /**
   * The entry one of whose phrasings is exactly this text (folded: case, diacritics and
   * punctuation aside); the first such entry. A tapped clarify option is one.
   */
  byExactQuestion(text: string): KnowledgeEntry | undefined {
    if (!this.exact) {
      this.exact = new Map();
      for (const e of this.entries) for (const q of e.questions) if (!this.exact.has(foldedPhrase(q))) this.exact.set(foldedPhrase(q), e);
    }
    const key = foldedPhrase(text);
    return key ? this.exact.get(key) : undefined;
  }

  /**
   * The topic classifier trained on these entries' phrasings (src/kb/classifier.ts): trained
   * on first use (about a second for the shipped base) unless the same phrasings were
   * trained on already (`classifierFor`), then kept with this knowledge.
   */
  get classifier(): TopicClassifier {
    this.trained ??= classifierFor(this.entries);
    return this.trained;
  }

  /** Which topic the classifier reads in a question: the second signal beside `search`. */
  classify(text: string): TopicPrediction {
    return this.classifier.predict(text);
  }

  get(id: string): KnowledgeEntry | undefined {
    return this.byId.get(id);
  }

  search(text: string, k?: number): SearchHit[] {
    return this.retriever.search(text, k);
  }
}
