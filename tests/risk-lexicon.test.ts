/**
 * Every entry of the reviewed risk lexicon (risk-lexicon/) keeps its promise: each
 * cue matches each of its examples and none of its notExamples, and every frame, mask,
 * "now" marker and child marker matches its examples. A reviewer who changes a phrase
 * sees here at once what it broke.
 */
import { describe, expect, it } from 'vitest';
import { scoreMessage, shippedLexicon } from '../src/flows/triage/index.js';
import { triageTokens } from '../src/flows/triage/text.js';

const lexicon = shippedLexicon();
const words = (text: string) => triageTokens(text, lexicon.wordMap, lexicon.vocabulary);
const matchesAny = <T>(index: { matches(w: ReturnType<typeof words>): Iterable<{ tag: T }> }, text: string, pick: (t: T) => boolean) =>
  [...index.matches(words(text))].some((m) => pick(m.tag));

describe('risk lexicon cues', () => {
  const cases = lexicon.cues.flatMap((cue) => [
    ...cue.examples.map((example) => ({ key: `${cue.category}/${cue.id}`, example, expected: true })),
    ...cue.notExamples.map((example) => ({ key: `${cue.category}/${cue.id}`, example, expected: false })),
  ]);
  it.each(cases)('$key on "$example" → $expected', ({ key, example, expected }) => {
    expect(scoreMessage(example, lexicon).matched.includes(key)).toBe(expected);
  });
});

describe('risk lexicon frames, masks and markers', () => {
  it.each(lexicon.rules.frames.flatMap((f) => f.examples.map((example) => ({ id: f.id, example }))))(
    'frame $id matches "$example"',
    ({ id, example }) => {
      expect(matchesAny(lexicon.frameIndex, example, (f) => f.id === id)).toBe(true);
    },
  );
  it.each(lexicon.masks.flatMap((m) => m.examples.map((example) => ({ id: m.id, example }))))(
    'mask $id matches "$example"',
    ({ id, example }) => {
      expect(matchesAny(lexicon.maskIndex, example, (m) => m.id === id)).toBe(true);
    },
  );
  it.each(lexicon.rules.now.examples)('"now" marker matches "%s"', (example) => {
    expect(scoreMessage(example, lexicon).now).toBe(true);
  });
  it.each(lexicon.rules.distress.examples)('"distress" marker matches "%s"', (example) => {
    expect(scoreMessage(example, lexicon).distress).toBe(true);
  });
  it.each(lexicon.rules.child.examples)('child marker matches "%s"', (example) => {
    expect(scoreMessage(example, lexicon).child).toBe(true);
  });
});
