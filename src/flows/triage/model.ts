/**
 * A second, learned reader beside the phrase lexicon: a naive Bayes model over words and
 * word pairs, trained when the lexicon loads from the labelled example messages in
 * `risk-lexicon/examples/*.jsonl` (the same format as the evaluation sets). Phrases catch
 * what reviewers wrote down; the model catches new wordings of the same situations,
 * which people always find. Both are data a reviewer can read: the examples are plain
 * labelled messages, and adding one is how the model learns.
 *
 * The model only adds: it can make a message urgent that the phrases missed (when it is
 * confident), never quieter. See `assess` for how the two combine.
 *
 * @example const model = trainRiskModel(examples, (t) => words(t)); model.predict(['em', 'dang', 'o', 'tren', 'cau'])
 */
import type { RiskCategory } from '../../store/types.js';

export interface LabelledMessage {
  text: string;
  risk: RiskCategory | null;
}

export interface Prediction {
  category: RiskCategory | null;
  probability: number;
}

export interface RiskModel {
  /** How many examples it learned from. */
  readonly size: number;
  /** The most likely category of a message, given its words (folded, as the lexicon reads them). */
  predict(words: readonly string[]): Prediction;
}

const NONE = 'none';

/** Words and adjacent word pairs, each once. */
function features(words: readonly string[]): string[] {
  const out = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    out.add(words[i]!);
    if (i + 1 < words.length) out.add(`${words[i]} ${words[i + 1]}`);
  }
  return [...out];
}

/** Multinomial naive Bayes with add-one smoothing over binary features. */
export function trainRiskModel(examples: readonly LabelledMessage[], tokenize: (text: string) => string[]): RiskModel {
  const classes = new Map<string, { docs: number; total: number; counts: Map<string, number> }>();
  const vocabulary = new Set<string>();
  for (const { text, risk } of examples) {
    const c = risk ?? NONE;
    let k = classes.get(c);
    if (!k) classes.set(c, (k = { docs: 0, total: 0, counts: new Map() }));
    k.docs++;
    for (const f of features(tokenize(text))) {
      vocabulary.add(f);
      k.counts.set(f, (k.counts.get(f) ?? 0) + 1);
      k.total++;
    }
  }
  const v = vocabulary.size;
  const n = examples.length;
  const names = [...classes.keys()];
  const ks = [...classes.values()];
  // Equal priors: how many examples of each kind the authors happened to write (a set of
  // mostly controls, another of mostly urgent lines) says nothing about a new message, and
  // a set heavy with controls must not make the reader slower to see danger.
  const prior = ks.map(() => 0);
  // Log-probabilities worked out once: a prediction is then one sum per class.
  const logp = new Map<string, Float64Array>();
  for (const f of vocabulary) logp.set(f, Float64Array.from(ks, (k) => Math.log(((k.counts.get(f) ?? 0) + 1) / (k.total + v))));
  return {
    size: n,
    predict(words) {
      if (names.length < 2) return { category: null, probability: 0 };
      const lp = prior.slice();
      for (const f of features(words)) {
        const row = logp.get(f);
        if (row) for (let i = 0; i < lp.length; i++) lp[i]! += row[i]!;
      }
      let best = 0;
      for (let i = 1; i < lp.length; i++) if (lp[i]! > lp[best]!) best = i;
      const max = lp[best]!;
      const z = lp.reduce((sum, x) => sum + Math.exp(x - max), 0);
      const c = names[best]!;
      return { category: c === NONE ? null : (c as RiskCategory), probability: 1 / z };
    },
  };
}
