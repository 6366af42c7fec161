/**
 * Every entry of the reviewed risk lexicon (risk-lexicon/) keeps its promise: each
 * cue matches each of its examples and none of its notExamples, and every frame, mask,
 * "now" marker and child marker matches its examples. A reviewer who changes a phrase
 * sees here at once what it broke.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEXICON_DIR, scoreMessage, shippedLexicon } from '../src/flows/triage/index.js';
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
  it.each(lexicon.masks.flatMap((m) => m.notExamples.map((example) => ({ id: m.id, example }))))(
    'mask $id leaves "$example" alone',
    ({ id, example }) => {
      expect(matchesAny(lexicon.maskIndex, example, (m) => m.id === id)).toBe(false);
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

describe('held-out risk sets stay held out', () => {
  // The learned reader trains on risk-lexicon/examples/: a held-out line there would be
  // measured on what it was taught, and the measure would mean nothing.
  const folded = (text: string) => words(text).map((w) => w.f).join(' ');
  const jsonl = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => (JSON.parse(l) as { text: string }).text);
  const examplesDir = join(DEFAULT_LEXICON_DIR, 'examples');
  const taught = new Set(readdirSync(examplesDir).flatMap((f) => jsonl(join(examplesDir, f))).map(folded));
  it.each(['risk-heldout.jsonl', 'risk-heldout-2.jsonl', 'risk-heldout-3.jsonl', 'risk-heldout-4.jsonl', 'risk-heldout-5.jsonl'])('no line of %s is a lexicon example', (file) => {
    const leaked = jsonl(join(import.meta.dirname, 'fixtures', 'eval', file)).filter((t) => taught.has(folded(t)));
    expect(leaked.length).toBe(0);
  });
});
