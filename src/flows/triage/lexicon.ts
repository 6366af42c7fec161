/**
 * The risk lexicon: reviewed data, not code. It lives in `risk-lexicon/` (one YAML file
 * per risk category plus `_rules.yaml` and `_words.yaml`), so that a clinician or senior
 * social worker can read it, change a phrase or a weight, and see the tests tell them
 * whether every example still does what it says. See `risk-lexicon/README.md`.
 *
 * Loading validates every file with zod and compiles every pattern; a mistake stops
 * start-up with the file and the field, because a broken lexicon must never silently
 * mean "nothing is urgent".
 *
 * @example const lexicon = loadLexicon('risk-lexicon'); assess('muon chet', [], lexicon)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RISK_CATEGORIES, type RiskCategory } from '../../store/types.js';
import { PhraseIndex, compilePattern, mapPatternWords } from './pattern.js';
import { trainRiskModel, type LabelledMessage, type RiskModel } from './model.js';
import { Vocabulary, foldWords, lookUp, toWords, triageTokens, type Word, type WordMap } from './text.js';

const text = z.string().trim().min(1);
const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'chữ thường không dấu, nối bằng dấu gạch ngang');
const date = z.coerce.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

const cueSchema = z.object({
  id,
  /** What the cue stands for, in plain words, for the reviewer. */
  means: text,
  /** 1 = urgent on its own; 0.5 = a sign that needs another (check-in alone). */
  weight: z.number().min(0.05).max(3),
  /**
   * false for who is at risk rather than what is happening ("người khuyết tật", "nằm
   * liệt"): it adds its weight only when another cue of the same category matched, so
   * an ordinary benefits question about a disabled person never raises anything.
   */
  alone: z.boolean().default(true),
  /**
   * true when the cue names an adult as the one harmed ("ba con đang đánh mẹ con"): a
   * message with it counts violence as harm to a child only where a child is named right
   * by it, not merely because a child is writing (rules' `child`). Default false.
   */
  adultVictim: z.boolean().default(false),
  patterns: z.array(text).min(1),
  /** Messages this cue must match: each one is a test. */
  examples: z.array(text).min(1),
  /** Messages this cue must not match (optional): each one is a test. */
  notExamples: z.array(text).default([]),
});

const phraseGroupSchema = z.object({
  id,
  means: text,
  patterns: z.array(text).min(1),
  examples: z.array(text).min(1),
});

const maskSchema = phraseGroupSchema.extend({
  /**
   * true: the masked words also stop counting as a frame ("phim sex" shown to a child is
   * no film being discussed). Default false: masks hide cues and "now" markers only.
   */
  hidesFrames: z.boolean().default(false),
  /** Messages this mask must not hide (optional): each one is a test. */
  notExamples: z.array(text).default([]),
});

const categoryFileSchema = z.object({
  category: z.enum(RISK_CATEGORIES),
  name: text,
  reviewed: date,
  cues: z.array(cueSchema).min(1),
  /** Other senses of this category's words ("đánh cá" is fishing): hidden from every cue. */
  masks: z.array(maskSchema).default([]),
});

const frameSchema = phraseGroupSchema.extend({
  /** Scores are multiplied by this when the frame is present (0.2 = one fifth). */
  factor: z.number().min(0).max(1),
  /** If true, a sign that the danger is happening now cancels this frame. */
  yieldsToNow: z.boolean(),
  /**
   * 'message' (default): the frame damps every sign in the message. 'sentence': only the
   * signs in its own sentence, so "Cho hỏi trợ cấp lũ đăng ký ở đâu. Nước lên tới mái
   * rồi" keeps its danger.
   */
  scope: z.enum(['message', 'sentence']).default('message'),
  /**
   * Optional, for sentence frames: when the frame is in the message's last sentence (a
   * story that ends by asking what support there is), the signs in the other sentences
   * that are not enough alone are multiplied by this too, unless a "now" stands in the
   * last sentence. A sign enough alone keeps its weight: "… chồng em đang cầm dao. Cho hỏi
   * thủ tục ly hôn" stays urgent.
   */
  closing: z.number().min(0).max(1).optional(),
});

const rulesFileSchema = z.object({
  reviewed: date,
  levels: z.object({ urgent: z.number().positive(), checkIn: z.number().positive() }),
  /** Which category wins a tie of scores. */
  precedence: z
    .array(z.enum(RISK_CATEGORIES))
    .refine((a) => RISK_CATEGORIES.every((c) => a.includes(c)) && a.length === RISK_CATEGORIES.length, 'mỗi nhóm đúng một lần'),
  /** Categories that win whenever they reach the urgent level, whatever else scored higher. */
  overrides: z.array(z.enum(RISK_CATEGORIES)).default([]),
  context: z.object({
    /** How many earlier messages of the conversation count together with this one. */
    messages: z.number().int().min(0).max(20),
    /** ...if written within this many minutes. */
    minutes: z.number().int().min(1).max(24 * 60),
  }),
  negation: z.object({
    words: z.array(text).min(1),
    /** A negation word this many words or fewer before a sign cancels it. */
    within: z.number().int().min(1).max(5),
    /** Words before the negation that make it a rhetorical question ("sao không chết quách"). */
    rhetorical: z.array(text).default([]),
  }),
  frames: z.array(frameSchema),
  now: phraseGroupSchema,
  /**
   * A cry for help ("cứu với", "sợ quá", "làm sao bây giờ"): a category that already has
   * signs (at least levels.checkIn) gets its score multiplied by `factor`.
   */
  distress: phraseGroupSchema.extend({ factor: z.number().min(1).max(4) }),
  masks: z.array(maskSchema),
  /**
   * The learned reader (src/flows/triage/model.ts), trained on examples/*.jsonl: a message
   * of at least `aloneFromWords` words (default 0) that it puts in a category with at
   * least `aloneAt` (default `urgentAt`) is urgent even when no phrase matched. A shorter
   * message needs a phrase of that category and at least `urgentAt`: a word or two is too
   * little to go on, and that is how it misread "ck e cầm dao vô bếp nấu cháo gà r" as a
   * threat. Leave `model` out to use the phrases alone. `chooseAt` (optional): when the
   * phrases put two or more categories at the urgent level, the reader's category wins if
   * its probability is at least this (a tied-up grandmother is violence, not trafficking).
   * `chooseHalfAt` (optional): the reader's category also wins over an urgent one when it
   * has at least a half-sign of its own and the reader is this sure (a child beaten until
   * she faints while selling sweets is a child's case, though "bán" made trafficking urgent).
   * `calmAt` (optional): when the phrases make a message of at least `aloneFromWords`
   * words urgent but the reader is at least this sure it is a calm message ("thua 7 trận
   * liền muốn chết luôn", a first-aid class), the citizen is asked first (check-in)
   * instead: one direct question that turns urgent on a yes, on silence, or on any
   * further sign. Leave out and the reader never lowers.
   */
  model: z
    .object({
      urgentAt: z.number().min(0.2).max(1),
      aloneFromWords: z.number().int().min(0).default(0),
      chooseAt: z.number().min(0.2).max(1).optional(),
      chooseHalfAt: z.number().min(0.2).max(1).optional(),
      aloneAt: z.number().min(0.2).max(1).optional(),
      calmAt: z.number().min(0.5).max(1).optional(),
    })
    .optional(),
  child: phraseGroupSchema.extend({
    /** A cue of the first category this many words or fewer from a child marker counts for the second. */
    within: z.number().int().min(0).max(50).default(8),
    /** Scores of the first category move to the second when a child is named near them. */
    redirect: z.array(z.tuple([z.enum(RISK_CATEGORIES), z.enum(RISK_CATEGORIES)])),
  }),
});

const wordsFileSchema = z.object({
  reviewed: date,
  /** One folded word as typed → what it means ("ko" → "không", "bme" → "bố mẹ"). */
  words: z.record(z.string(), text),
  /**
   * One word typed with a wrong tone or letter shape → the word meant ("dánh" → "đánh",
   * "nhót" → "nhốt"). Matched only as typed, marks and all, so "danh" (danh sách) stays.
   */
  mistyped: z.record(z.string(), text).default({}),
});

export type CueDefinition = z.infer<typeof cueSchema> & { category: RiskCategory; file: string };
export type PhraseGroup = z.infer<typeof phraseGroupSchema> & { file: string };
export type MaskDefinition = z.infer<typeof maskSchema> & { file: string };
export type FrameDefinition = z.infer<typeof frameSchema>;
export type RulesDefinition = z.infer<typeof rulesFileSchema>;

/** A cue as the detector uses it. */
export interface CompiledCue {
  id: string;
  category: RiskCategory;
  weight: number;
  alone: boolean;
  adultVictim: boolean;
}

export interface Lexicon {
  cues: CueDefinition[];
  /** Every mask, from _rules.yaml and the category files. */
  masks: MaskDefinition[];
  rules: RulesDefinition;
  wordMap: WordMap;
  vocabulary: Vocabulary;
  cueIndex: PhraseIndex<CompiledCue>;
  frameIndex: PhraseIndex<FrameDefinition>;
  nowIndex: PhraseIndex<true>;
  distressIndex: PhraseIndex<true>;
  /** `category`: the category file the mask is written in (null for _rules.yaml). */
  maskIndex: PhraseIndex<{ id: string; hidesFrames: boolean; category: RiskCategory | null }>;
  childIndex: PhraseIndex<true>;
  negators: PhraseIndex<true>;
  rhetorical: Set<string>;
  /** Present when _rules.yaml has `model` and examples/ holds labelled messages. */
  model?: RiskModel;
}

const exampleSchema = z.object({ text: z.string().trim().min(1), risk: z.enum(RISK_CATEGORIES).nullable() });

/** Labelled messages in `dir/examples/*.jsonl`; a bad line is a problem naming file and line. */
function readExamples(dir: string, problems: string[]): LabelledMessage[] {
  const folder = join(dir, 'examples');
  if (!existsSync(folder)) return [];
  const out: LabelledMessage[] = [];
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.jsonl')).sort()) {
    readFileSync(join(folder, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        let parsed;
        try {
          parsed = exampleSchema.safeParse(JSON.parse(line));
        } catch {
          problems.push(`examples/${file}:${i + 1}: không phải JSON`);
          return;
        }
        if (parsed.success) out.push(parsed.data);
        else problems.push(`examples/${file}:${i + 1}: ${parsed.error.issues[0]?.message}`);
      });
  }
  return out;
}

/** A lexicon file that failed validation: which file, which field, what is wrong. */
export class LexiconError extends Error {
  constructor(readonly problems: string[]) {
    super(`risk lexicon: ${problems.length} problem(s):\n${problems.join('\n')}`);
    this.name = 'LexiconError';
  }
}

function readYaml(dir: string, file: string): unknown {
  return parseYaml(readFileSync(join(dir, file), 'utf8'));
}

function describeIssues(file: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${file}: ${i.path.join('.') || '(tệp)'}: ${i.message}`);
}

/** Loads, validates and compiles `dir`; throws LexiconError listing every problem. */
export function loadLexicon(dir: string): Lexicon {
  const problems: string[] = [];
  const parse = <T>(file: string, schema: z.ZodType<T>): T | undefined => {
    let raw: unknown;
    try {
      raw = readYaml(dir, file);
    } catch (err) {
      problems.push(`${file}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
    const result = schema.safeParse(raw);
    if (!result.success) {
      problems.push(...describeIssues(file, result.error));
      return undefined;
    }
    return result.data;
  };

  const rules = parse('_rules.yaml', rulesFileSchema);
  const words = parse('_words.yaml', wordsFileSchema);
  const cues: CueDefinition[] = [];
  const masks: MaskDefinition[] = [];
  const seen = new Set<RiskCategory>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.startsWith('_')).sort()) {
    const data = parse(file, categoryFileSchema);
    if (!data) continue;
    if (file !== `${data.category}.yaml`) problems.push(`${file}: category: tệp phải tên là ${data.category}.yaml`);
    seen.add(data.category);
    for (const cue of data.cues) cues.push({ ...cue, category: data.category, file });
    for (const mask of data.masks) masks.push({ ...mask, file });
  }
  for (const c of RISK_CATEGORIES) if (!seen.has(c)) problems.push(`${c}.yaml: thiếu tệp cho nhóm nguy cơ này`);
  const ids = new Set<string>();
  for (const c of cues) {
    const key = `${c.category}/${c.id}`;
    if (ids.has(key)) problems.push(`${c.file}: ${c.id}: id trùng`);
    ids.add(key);
  }
  if (!rules || !words || problems.length > 0) throw new LexiconError(problems);
  masks.unshift(...rules.masks.map((m) => ({ ...m, file: '_rules.yaml' })));

  const wordMap = new Map<string, Array<{ key: Word; to: Word[]; exact?: boolean }>>();
  const addWord = (section: 'words' | 'mistyped', from: string, to: string) => {
    const keys = toWords(from, { exact: true });
    if (keys.length !== 1) return problems.push(`_words.yaml: ${section}.${from}: chỉ một từ ở bên trái`);
    const key = keys[0]!;
    if (section === 'mistyped' && (key.s === null || key.s === key.f)) return problems.push(`_words.yaml: mistyped.${from}: phải viết có dấu (như người ta gõ sai dấu)`);
    const list = wordMap.get(key.f) ?? [];
    list.push({ key, to: toWords(to, { exact: true }), ...(section === 'mistyped' ? { exact: true } : {}) });
    wordMap.set(key.f, list);
  };
  for (const [from, to] of Object.entries(words.words)) addWord('words', from, to);
  for (const [from, to] of Object.entries(words.mistyped)) addWord('mistyped', from, to);
  if (problems.length > 0) throw new LexiconError(problems);

  const compile = <T>(index: PhraseIndex<T>, patterns: readonly string[], tag: T, where: string): void => {
    for (const p of patterns) {
      try {
        index.add(mapPatternWords(compilePattern(p), (w) => lookUp(wordMap, w)), tag);
      } catch (err) {
        problems.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  // How common each word is in messages people write (the labelled examples): the phrase
  // indexes try a pattern only when its rarest required word is in the message.
  const examples = rules.model ? readExamples(dir, problems) : [];
  const seenIn = new Map<string, number>();
  for (const { text } of examples) for (const w of new Set(foldWords(text))) seenIn.set(w, (seenIn.get(w) ?? 0) + 1);
  const commonness = examples.length > 0 ? (w: string) => ((seenIn.get(w) ?? 0) + 1) / (examples.length + 1) : undefined;

  const cueIndex = new PhraseIndex<CompiledCue>(commonness);
  for (const c of cues) compile(cueIndex, c.patterns, { id: c.id, category: c.category, weight: c.weight, alone: c.alone, adultVictim: c.adultVictim }, `${c.file}: ${c.id}`);
  const frameIndex = new PhraseIndex<FrameDefinition>(commonness);
  for (const f of rules.frames) compile(frameIndex, f.patterns, f, `_rules.yaml: frames.${f.id}`);
  const nowIndex = new PhraseIndex<true>();
  compile(nowIndex, rules.now.patterns, true, '_rules.yaml: now');
  const distressIndex = new PhraseIndex<true>();
  compile(distressIndex, rules.distress.patterns, true, '_rules.yaml: distress');
  const maskIndex = new PhraseIndex<{ id: string; hidesFrames: boolean; category: RiskCategory | null }>(commonness);
  for (const m of masks) {
    const category = m.file === '_rules.yaml' ? null : (m.file.replace(/\.yaml$/, '') as RiskCategory);
    compile(maskIndex, m.patterns, { id: m.id, hidesFrames: m.hidesFrames, category }, `${m.file}: masks.${m.id}`);
  }
  const childIndex = new PhraseIndex<true>();
  compile(childIndex, rules.child.patterns, true, '_rules.yaml: child');
  const negators = new PhraseIndex<true>();
  compile(negators, rules.negation.words, true, '_rules.yaml: negation.words');
  if (problems.length > 0) throw new LexiconError(problems);

  // Every word the lexicon is written in: typos are repaired towards these.
  const vocab = new Set<string>();
  const addWords = (patterns: readonly string[]) => {
    for (const p of patterns) for (const w of foldWords(p.replace(/[()[\]/…]/g, ' '))) vocab.add(w);
  };
  for (const c of cues) addWords(c.patterns);
  for (const f of rules.frames) addWords(f.patterns);
  for (const m of masks) addWords(m.patterns);
  addWords(rules.now.patterns);
  addWords(rules.distress.patterns);
  addWords(rules.child.patterns);
  addWords(rules.negation.words);
  for (const list of wordMap.values()) for (const { to } of list) for (const w of to) vocab.add(w.f);

  if (problems.length > 0) throw new LexiconError(problems);
  const vocabulary = new Vocabulary(vocab);
  const model =
    rules.model && examples.length > 0
      ? trainRiskModel(examples, (text) => triageTokens(text, wordMap, vocabulary).map((w) => w.f))
      : undefined;

  return {
    model,
    cues,
    masks,
    rules,
    wordMap,
    vocabulary,
    cueIndex,
    frameIndex,
    nowIndex,
    distressIndex,
    maskIndex,
    childIndex,
    negators,
    rhetorical: new Set(rules.negation.rhetorical.flatMap((r) => foldWords(r))),
  };
}
