/**
 * Is this citizen in danger now? A pure function of the message, the few messages
 * before it, and the reviewed lexicon: no I/O, no clock, so every decision can be
 * replayed in a test and explained to a supervisor by the cue ids it returns.
 *
 * How a message is scored (the numbers live in `risk-lexicon/_rules.yaml`):
 * 1. Words are folded and repaired (src/flows/triage/text.ts). An age under 16 ("bé 7
 *    tuổi", "con 11t", "bé 8 tháng") counts as a child marker.
 * 2. Masks hide figurative phrases ("đói muốn xỉu", "chết cười") from the cues and
 *    the "now" markers (not from the frames).
 * 3. Each cue that matches adds its weight to its category, once per message (a cue
 *    marked `alone: false` only when its category has another cue too), unless a
 *    negation word comes just before it ("không muốn chết" is not "muốn chết"; "sao
 *    không chết quách cho rồi" still is).
 * 4. Frames (asking for information, fiction, a hypothesis, something past and over)
 *    multiply the scores down; a sign that it is happening now cancels the frames that
 *    yield to it.
 * 4b. A cry for help ("cứu với", "sợ quá") multiplies a category that already has at
 *    least half a sign by `distress.factor`.
 * 5. When a child is named right by a violence cue, or the message shows harm to a child
 *    of its own, violence scores count as harm to a child. A child marker inside a mask
 *    names no child ("ba con nhỏ": the writer's husband). A cue marked `adultVictim`
 *    ("ba con đang đánh mẹ con") leaves only the first way: a child telling of the mother's
 *    beating is a case of violence.
 * 6. The earlier messages of the conversation (within the rules' window) add their
 *    scores when this message has any sign itself: two half-signs make an urgent case.
 * Urgent at or above `levels.urgent`, check-in at or above `levels.checkIn`.
 *
 * @example assess('e dang dung tren cau', [], lexicon) // { level: 'urgent', category: 'tu-hai', … }
 */
import type { RiskCategory } from '../../store/types.js';
import type { Lexicon } from './lexicon.js';
import type { Prediction } from './model.js';
import { wordPositions, type Span } from './pattern.js';
import { triageTokens, type Word } from './text.js';

export type AssessedLevel = 'none' | 'check-in' | 'urgent';


export interface MessageScore {
  scores: Partial<Record<RiskCategory, number>>;
  /** `category/cue-id` of every cue that counted. */
  cues: string[];
  /** `category/cue-id` of every cue that matched (not masked, not negated), counted or not. */
  matched: string[];
  frames: string[];
  now: boolean;
  /** A cry for help was found. */
  distress: boolean;
  /** What the learned reader thinks, when the lexicon has one. */
  model: Prediction | null;
  child: boolean;
  /** How many words the message has. */
  words: number;
  /** Categories with a counted cue that is enough alone (weight ≥ levels.urgent, before frames). */
  strong: RiskCategory[];
  /** Categories one of whose own masks matched: their lexicon authors said "this wording is not it". */
  maskedBy: RiskCategory[];
}

export interface Assessment {
  level: AssessedLevel;
  /** The urgent category; for a check-in, the category the signs lean to (may be null). */
  category: RiskCategory | null;
  score: number;
  /** True when the level needed the earlier messages. */
  fromContext: boolean;
  /** Cues, frames and flags that explain the decision (ids only, never the text). */
  reasons: string[];
}

/** Words before "N tháng" that make it a baby's age ("bé 8 tháng"), not a pregnancy. */
const CHILD_BEFORE_MONTHS = new Set(['be', 'con', 'chau', 'nho', 'nhoc']);

/** Where a child's age is written ("bé 7 tuổi", "con 11t", "bé 8 tháng"), if anywhere. */
function childAge(ws: readonly Word[]): Span | null {
  for (let i = 0; i < ws.length - 1; i++) {
    const n = ws[i]!.f;
    if (!/^\d{1,2}$/.test(n)) continue;
    const unit = ws[i + 1]!.f;
    const years = (unit === 'tuoi' || unit === 't') && Number(n) < 16;
    const months = unit === 'thang' && i > 0 && CHILD_BEFORE_MONTHS.has(ws[i - 1]!.f);
    if (years || months) return { start: i, end: i + 2 };
  }
  return null;
}

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;

/** Whether a negation word comes just before `start`, in the same clause ("không muốn chết"). */
function isNegated(ws: readonly Word[], negations: readonly Span[], start: number, lexicon: Lexicon): boolean {
  let from = Math.max(0, start - lexicon.rules.negation.within);
  // A negation in the clause before ("máu chảy không cầm, lừ đừ") says nothing of this one.
  while (from < start && ws[from]!.c !== ws[start]!.c) from++;
  return negations.some((n) => {
    if (n.start < from || n.end > start) return false;
    const before = ws[n.start - 1];
    if (before && lexicon.rhetorical.has(before.f)) return false;
    // "không thì / ko thì" means "otherwise": "trả tiền đi ko thì tụi tao đánh" threatens.
    return !isOtherwise(ws[n.end]);
  });
}

/** "thì" right after a negation ("không thì …"), typed with its tone or without any. */
const isOtherwise = (next: Word | undefined) => next !== undefined && next.f === 'thi' && (next.s === null || next.s === 'thi\u0300');

/**
 * Recent scores per lexicon: a conversation's earlier messages are scored again on every
 * turn, and a message's score depends only on its text and the lexicon.
 */
const recentScores = new WeakMap<Lexicon, Map<string, MessageScore>>();
const RECENT_SCORES = 1000;

/** Scores one message on its own (remembering the last RECENT_SCORES texts). */
export function scoreMessage(text: string, lexicon: Lexicon): MessageScore {
  let recent = recentScores.get(lexicon);
  if (!recent) recentScores.set(lexicon, (recent = new Map()));
  const known = recent.get(text);
  if (known) {
    // Least recently used goes first: move this one to the end.
    recent.delete(text);
    recent.set(text, known);
    return known;
  }
  const score = computeScore(text, lexicon);
  if (recent.size >= RECENT_SCORES) recent.delete(recent.keys().next().value!);
  recent.set(text, score);
  return score;
}

const gapBetween = (a: Span, b: Span) => (a.end <= b.start ? b.start - a.end : a.start >= b.end ? a.start - b.end : 0);

function computeScore(text: string, lexicon: Lexicon): MessageScore {
  const ws = triageTokens(text, lexicon.wordMap, lexicon.vocabulary);
  const last = wordPositions(ws);
  // A mask is one phrase: it never reaches across a comma or a full stop.
  const masks = lexicon.maskIndex.matches(ws, last).filter((m) => ws[m.span.start]!.c === ws[m.span.end - 1]!.c);
  const masked = masks.map((m) => m.span);
  const framesMasked = masks.filter((m) => m.tag.hidesFrames).map((m) => m.span);
  const visible = (span: Span) => !masked.some((m) => overlaps(m, span));

  const negations = lexicon.negators.matches(ws, last).map((m) => m.span);
  const best = new Map<string, { category: RiskCategory; weight: number; alone: boolean; adultVictim: boolean; span: Span }>();
  for (const { tag, span } of lexicon.cueIndex.matches(ws, last)) {
    if (!visible(span)) continue;
    // A cue that starts with the negation itself ("không muốn sống") is not negated by it.
    const startsNegated = negations.some((n) => n.start === span.start);
    if (!startsNegated && isNegated(ws, negations, span.start, lexicon)) continue;
    const key = `${tag.category}/${tag.id}`;
    const prev = best.get(key);
    if (!prev || prev.weight < tag.weight) best.set(key, { category: tag.category, weight: tag.weight, alone: tag.alone, adultVictim: tag.adultVictim, span });
  }
  const matched = [...best.keys()];
  // A cue that only says who is at risk counts when its category also has a sign of what is happening.
  const hasSign = new Set([...best.values()].filter((c) => c.alone).map((c) => c.category));
  for (const [key, c] of best) if (!c.alone && !hasSign.has(c.category)) best.delete(key);

  const nowMarks = lexicon.nowIndex.matches(ws, last).filter((m) => visible(m.span));
  const now = nowMarks.length > 0;
  // A sentence frame yields only to a "now" in its own sentence: "Giả sử người già đi lạc thì
  // báo ai? Tổ dân phố đang soạn hướng dẫn" stays a hypothesis.
  const nowSentences = new Set(nowMarks.map((m) => ws[m.span.start]!.sn ?? 0));
  // Frames damp the signs: a message-wide frame all of them, a sentence frame those of its sentence.
  const frameHits: Array<{ id: string; factor: number; sentence: number | null; closing?: number }> = [];
  for (const { tag, span } of lexicon.frameIndex.matches(ws, last)) {
    // Masks hide frames only when they say so: "đang làm tiểu luận về tự tử" is masked as
    // not-now and is still informational; "phim sex" shown to a child is no film talk.
    if (framesMasked.some((m) => overlaps(m, span))) continue;
    const sentence = tag.scope === 'sentence' ? (ws[span.start]!.sn ?? 0) : null;
    const yields = tag.yieldsToNow && (sentence === null ? now : nowSentences.has(sentence));
    // A frame a "now" cancelled closes nothing either.
    frameHits.push({ id: tag.id, factor: yields ? 1 : tag.factor, sentence, ...(tag.closing !== undefined && sentence !== null && !yields ? { closing: tag.closing } : {}) });
  }
  // A sentence frame that closes a story of several sentences ("… Cho hỏi được hỗ trợ gì?")
  // damps the story's half-signs too (the frame's `closing`).
  const lastSentence = ws.at(-1)?.sn ?? 0;
  const closing = Math.min(1, ...frameHits.filter((h) => h.sentence === lastSentence && lastSentence > 0 && h.closing !== undefined).map((h) => h.closing!));
  const factorFor = (span: Span, weight: number) => {
    const sentence = ws[span.start]!.sn ?? 0;
    let f = 1;
    for (const h of frameHits) if (h.sentence === null || h.sentence === sentence) f = Math.min(f, h.factor);
    if (weight < lexicon.rules.levels.urgent - 1e-9) f = Math.min(f, closing);
    return f;
  };

  // Violence is harm to a child when a child is named right by it ("đánh đứa nhỏ"), or when
  // the message also shows harm to a child of its own ("bắt đi bán vé số … quánh nó túi
  // bụi"). A child merely mentioned ("chồng đang đánh tôi, tôi bế con trốn") changes nothing.
  const age = childAge(ws);
  // A child marker inside a mask names no child ("ba con nhỏ": the child's father, the victim's husband).
  const childSpans = [...lexicon.childIndex.matches(ws, last).filter((m) => visible(m.span)).map((m) => m.span), ...(age ? [age] : [])];
  const { within, redirect } = lexicon.rules.child;
  const ownCategories = new Set([...best.values()].map((c) => c.category));
  // A cue that names an adult as the one harmed ("ba con đang đánh mẹ con", told by a
  // child): the violence is harm to a child only where a child is named right by it.
  const adultHarmed = [...best.values()].some((c) => c.adultVictim);
  const scores: Partial<Record<RiskCategory, number>> = {};
  const strong = new Set<RiskCategory>();
  for (const cue of best.values()) {
    const moved = childSpans.length > 0 ? redirect.find(([from]) => from === cue.category) : undefined;
    const sentence = ws[cue.span.start]!.sn ?? 0;
    const nearChild = childSpans.some((c) => gapBetween(c, cue.span) <= within && (ws[c.start]?.sn ?? sentence) === sentence);
    const toChild = moved && ((ownCategories.has(moved[1]) && !adultHarmed) || nearChild);
    const category = toChild ? moved[1] : cue.category;
    scores[category] = (scores[category] ?? 0) + cue.weight * factorFor(cue.span, cue.weight);
    if (cue.weight >= lexicon.rules.levels.urgent - 1e-9) strong.add(category);
  }
  const frames = new Map(frameHits.map((h) => [h.id, h.factor]));

  // A cry for help turns half a sign into an urgent case.
  const distress = lexicon.distressIndex.matches(ws, last).some((m) => visible(m.span));
  if (distress) {
    for (const c of Object.keys(scores) as RiskCategory[]) {
      if (scores[c]! >= lexicon.rules.levels.checkIn - 1e-9) scores[c] = scores[c]! * lexicon.rules.distress.factor;
    }
  }

  const model = lexicon.model ? lexicon.model.predict(ws.map((w) => w.f)) : null;
  // Masks that hide frames say "this really is the case" (a child's messages read by a parent): not a "not it".
  const maskedBy = [...new Set(masks.filter((m) => !m.tag.hidesFrames).map((m) => m.tag.category).filter((c): c is RiskCategory => c !== null))];
  return { scores, cues: [...best.keys()], matched, frames: [...frames.keys()], now, distress, model, child: childSpans.length > 0, words: ws.length, strong: [...strong], maskedBy };
}

/**
 * The category to act on: the highest score, ties by the rules' `precedence`; except
 * that a category listed in `overrides` wins whenever it reaches the urgent level with a
 * sign that is enough on its own, or with three half-signs (a person who means to end
 * their life because they are beaten is a self-harm case; a bridge and "tonight" in a
 * trafficking story are not).
 */
function top(scores: Partial<Record<RiskCategory, number>>, lexicon: Lexicon, strong: readonly RiskCategory[]): { category: RiskCategory | null; score: number } {
  const { precedence, overrides } = lexicon.rules;
  const { urgent: enough, checkIn: half } = lexicon.rules.levels;
  // A sign enough on its own, or three half-signs: more than a place and a time of day.
  const overriding = (c: RiskCategory) => (scores[c] ?? 0) >= enough - 1e-9 && (strong.includes(c) || (scores[c] ?? 0) >= enough + half - 1e-9);
  const urgent = overrides.find(overriding);
  if (urgent) return { category: urgent, score: scores[urgent]! };
  let category: RiskCategory | null = null;
  let score = 0;
  for (const c of precedence) {
    const s = scores[c] ?? 0;
    if (s > score + 1e-9) {
      category = c;
      score = s;
    }
  }
  return { category, score };
}

function levelOf(score: number, lexicon: Lexicon): AssessedLevel {
  if (score >= lexicon.rules.levels.urgent - 1e-9) return 'urgent';
  if (score >= lexicon.rules.levels.checkIn - 1e-9) return 'check-in';
  return 'none';
}

/**
 * Whether a message is long enough (`aloneFromWords`) for the learned reader's guess to
 * rest on more than a word or two, either way: "ck e cầm dao vô bếp nấu cháo gà r" is not
 * a threat, and "e muon chetttt" reads like the many "mệt muốn chết" it has seen. The
 * phrases decide shorter ones.
 */
function readerHasEnough(own: MessageScore, lexicon: Lexicon): boolean {
  return own.words >= (lexicon.rules.model?.aloneFromWords ?? 0);
}

/**
 * Whether the learned reader makes this message urgent though the phrases did not: a long
 * enough message (`readerHasEnough`) that it puts in a category with at least `aloneAt`,
 * or a shorter one with a phrase of that category and at least `urgentAt` ("dạo này em
 * thấy cái gì cũng vô ích" is a question to ask). Never when the category's own reviewed
 * masks said this wording is not it ("con chó bị bỏ rơi"): the phrases still decide those.
 */
function readerRaises(own: MessageScore, alone: { score: number }, lexicon: Lexicon): boolean {
  const rules = lexicon.rules.model;
  const category = own.model?.category;
  if (!rules || !category || levelOf(alone.score, lexicon) === 'urgent' || own.maskedBy.includes(category)) return false;
  const p = own.model!.probability;
  if (readerHasEnough(own, lexicon) && p >= (rules.aloneAt ?? rules.urgentAt)) return true;
  return own.cues.some((m) => m.startsWith(`${category}/`)) && p >= rules.urgentAt;
}

/**
 * Which category an urgent message is acted on as, when the learned reader is sure of
 * another one: it has read whole messages of each kind, the phrases only their pieces. Its
 * category wins when the phrases also put it at urgent (reader at least `chooseAt`), or
 * give it at least a half-sign and none of its masks matched (reader at least
 * `chooseHalfAt`); the level stays the phrases'.
 */
function readerChoice(own: MessageScore, alone: { category: RiskCategory | null; score: number }, lexicon: Lexicon): { category: RiskCategory | null; score: number } {
  const { chooseAt, chooseHalfAt } = lexicon.rules.model ?? {};
  const category = own.model?.category;
  if (!category || category === alone.category || levelOf(alone.score, lexicon) !== 'urgent') return alone;
  const p = own.model!.probability;
  const theirs = own.scores[category] ?? 0;
  const { urgent, checkIn } = lexicon.rules.levels;
  if (chooseAt !== undefined && p >= chooseAt && theirs >= urgent - 1e-9) return { category, score: theirs };
  if (chooseHalfAt !== undefined && p >= chooseHalfAt && theirs >= checkIn - 1e-9 && !own.maskedBy.includes(category)) return { category, score: alone.score };
  return alone;
}

/**
 * Whether a message the phrases made urgent is asked about first instead: the learned
 * reader is at least `calmAt` sure it is a calm message, the kind it has read many of
 * ("thua 7 trận liền muốn chết luôn", a first-aid class, a news story). The citizen then
 * gets the check-in question, which turns urgent on a yes, on silence or on any further
 * sign, so a wrong "calm" costs a question, not a missed case. Short messages are left
 * to the phrases (`readerHasEnough`).
 */
function readerCalms(own: MessageScore, alone: { score: number }, lexicon: Lexicon): boolean {
  const calmAt = lexicon.rules.model?.calmAt;
  if (calmAt === undefined || !own.model || own.model.category !== null || !readerHasEnough(own, lexicon)) return false;
  return own.model.probability >= calmAt && levelOf(alone.score, lexicon) === 'urgent';
}

/**
 * Whether the earlier messages could change an assessment made without them: only a
 * message with a sign that is not yet urgent adds them up (`assess`, step 6). Lets the
 * caller skip reading them for the many messages with no sign at all.
 *
 * @example
 * let a = assess(text, [], lexicon);
 * if (contextMayCount(a)) a = assess(text, await loadEarlier(), lexicon);
 */
export function contextMayCount(alone: Assessment): boolean {
  return alone.level !== 'urgent' && alone.score > 0;
}

/**
 * Assesses `text` given the citizen's earlier messages, oldest first. The caller passes
 * only messages inside the rules' context window (`lexicon.rules.context`) and after
 * the citizen last said they were safe; the last `context.messages` of them count.
 */
export function assess(text: string, earlier: readonly string[], lexicon: Lexicon): Assessment {
  const own = scoreMessage(text, lexicon);
  let alone = top(own.scores, lexicon, own.strong);
  alone = readerChoice(own, alone, lexicon);
  // The learned reader may make a message urgent that no phrase caught, and ask first about
  // one it is sure is calm (`readerCalms`).
  const raised = readerRaises(own, alone, lexicon);
  if (raised) alone = { category: own.model!.category, score: lexicon.rules.levels.urgent };
  const calm = readerCalms(own, alone, lexicon);
  if (calm) alone = { category: alone.category, score: lexicon.rules.levels.checkIn };
  const reasons = [
    ...own.cues,
    ...own.frames.map((f) => `frame:${f}`),
    ...(own.now ? ['now'] : []),
    ...(own.distress ? ['distress'] : []),
    ...(own.child ? ['child'] : []),
    ...(raised ? [`model:${own.model!.category}`] : []),
    ...(calm ? ['model:calm'] : []),
  ];
  const aloneLevel = levelOf(alone.score, lexicon);
  if (aloneLevel === 'urgent' || alone.score === 0) {
    return { level: aloneLevel, category: alone.category, score: alone.score, fromContext: false, reasons };
  }
  // A message the reader calmed brings at most a half-sign of each kind to the sum.
  const combined: Partial<Record<RiskCategory, number>> = calm
    ? Object.fromEntries(Object.entries(own.scores).map(([c, v]) => [c, Math.min(v, lexicon.rules.levels.checkIn)]))
    : { ...own.scores };
  const window = earlier.slice(Math.max(0, earlier.length - lexicon.rules.context.messages));
  let used = false;
  for (const previous of window) {
    const s = scoreMessage(previous, lexicon);
    for (const [c, v] of Object.entries(s.scores) as Array<[RiskCategory, number]>) {
      if (v <= 0) continue;
      combined[c] = (combined[c] ?? 0) + v;
      used = true;
    }
  }
  const together = top(combined, lexicon, own.strong);
  const level = levelOf(together.score, lexicon);
  const fromContext = used && level !== aloneLevel;
  return {
    level,
    category: together.category,
    score: together.score,
    fromContext,
    reasons: fromContext ? [...reasons, 'context'] : reasons,
  };
}
