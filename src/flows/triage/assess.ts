/**
 * Is this citizen in danger now? A pure function of the message, the few messages
 * before it, and the reviewed lexicon: no I/O, no clock, so every decision can be
 * replayed in a test and explained to a supervisor by the cue ids it returns.
 *
 * How a message is scored (the numbers live in `risk-lexicon/_rules.yaml`):
 * 1. Words are folded and repaired (src/flows/triage/text.ts). An age under 16 adds the
 *    word `tuoitho`, so a pattern can say "a child's age was written".
 * 2. Masks hide figurative phrases ("đói muốn xỉu", "chết cười") from the cues and
 *    the "now" markers (not from the frames).
 * 3. Each cue that matches adds its weight to its category, once per message (a cue
 *    marked `alone: false` only when its category has another cue too), unless a
 *    negation word comes just before it ("không muốn chết" is not "muốn chết"; "sao
 *    không chết quách cho rồi" still is).
 * 4. Frames (asking for information, fiction, a hypothesis, something past and over)
 *    multiply the scores down; a sign that it is happening now cancels the frames that
 *    yield to it.
 * 5. When a child is named, violence scores count as harm to a child.
 * 6. The earlier messages of the conversation (within the rules' window) add their
 *    scores when this message has any sign itself: two half-signs make an urgent case.
 * Urgent at or above `levels.urgent`, check-in at or above `levels.checkIn`.
 *
 * @example assess('e dang dung tren cau', [], lexicon) // { level: 'urgent', category: 'tu-hai', … }
 */
import type { RiskCategory } from '../../store/types.js';
import type { Lexicon } from './lexicon.js';
import type { Span } from './pattern.js';
import { triageTokens, type Word } from './text.js';

export type AssessedLevel = 'none' | 'check-in' | 'urgent';

/** Which category wins a tie: the one whose helpers are hardest to reach in time. */
const TIE_ORDER: readonly RiskCategory[] = ['tu-hai', 'xam-hai-tre-em', 'mua-ban-nguoi', 'bao-luc', 'cap-cuu', 'bo-roi'];

export interface MessageScore {
  scores: Partial<Record<RiskCategory, number>>;
  /** `category/cue-id` of every cue that counted. */
  cues: string[];
  /** `category/cue-id` of every cue that matched (not masked, not negated), counted or not. */
  matched: string[];
  frames: string[];
  now: boolean;
  child: boolean;
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

/** "7 tuổi", "11t": an age in years. */
const AGE_YEARS = /\b(\d{1,2}) (tuoi|t)\b/g;
/** "bé 8 tháng", "con 20 tháng tuổi": a baby's age in months (not "có bầu 7 tháng"). */
const AGE_MONTHS = /\b(be|con|chau|em be|dua nho|thang nho|con nho) (\d{1,2}) thang\b/;

function words(text: string, lexicon: Lexicon): Word[] {
  const out = triageTokens(text, lexicon.wordMap, lexicon.vocabulary);
  // "bé 7 tuổi", "con 11t", "bé 8 tháng": a child's age was written.
  const folded = out.map((w) => w.f).join(' ');
  const young = [...folded.matchAll(AGE_YEARS)].some((m) => Number(m[1]) < 16) || AGE_MONTHS.test(folded);
  if (young) out.push({ f: 'tuoitho', s: null, c: -1 });
  return out;
}

const overlaps = (a: Span, b: Span) => a.start < b.end && b.start < a.end;

function isNegated(ws: readonly Word[], start: number, lexicon: Lexicon): boolean {
  let from = Math.max(0, start - lexicon.rules.negation.within);
  // A negation in the clause before ("máu chảy không cầm, lừ đừ") says nothing of this one.
  while (from < start && ws[from]!.c !== ws[start]!.c) from++;
  const window = ws.slice(from, start);
  for (const { span } of lexicon.negators.matches(window)) {
    const before = window[span.start - 1] ?? ws[from - 1];
    if (before && lexicon.rhetorical.has(before.f)) continue;
    return true;
  }
  return false;
}

/** Scores one message on its own. */
export function scoreMessage(text: string, lexicon: Lexicon): MessageScore {
  const ws = words(text, lexicon);
  const masked = [...lexicon.maskIndex.matches(ws)].map((m) => m.span);
  const visible = (span: Span) => !masked.some((m) => overlaps(m, span));

  const best = new Map<string, { category: RiskCategory; weight: number; alone: boolean }>();
  for (const { tag, span } of lexicon.cueIndex.matches(ws)) {
    if (!visible(span)) continue;
    if (lexicon.negators.matches([ws[span.start]!]).next().done && isNegated(ws, span.start, lexicon)) continue;
    const key = `${tag.category}/${tag.id}`;
    const prev = best.get(key);
    if (!prev || prev.weight < tag.weight) best.set(key, { category: tag.category, weight: tag.weight, alone: tag.alone });
  }
  const matched = [...best.keys()];
  // A cue that only says who is at risk counts when its category also has a sign of what is happening.
  const hasSign = new Set([...best.values()].filter((c) => c.alone).map((c) => c.category));
  for (const [key, c] of best) if (!c.alone && !hasSign.has(c.category)) best.delete(key);

  const scores: Partial<Record<RiskCategory, number>> = {};
  for (const { category, weight } of best.values()) scores[category] = (scores[category] ?? 0) + weight;

  const now = [...lexicon.nowIndex.matches(ws)].some((m) => visible(m.span));
  const frames = new Map<string, number>();
  // Masks do not hide frames: "đang làm tiểu luận về tự tử" is masked as not-now and still informational.
  for (const { tag } of lexicon.frameIndex.matches(ws)) {
    frames.set(tag.id, tag.yieldsToNow && now ? 1 : tag.factor);
  }
  const factor = Math.min(1, ...frames.values());
  for (const c of Object.keys(scores) as RiskCategory[]) scores[c] = scores[c]! * factor;

  const child = !lexicon.childIndex.matches(ws).next().done;
  if (child) {
    for (const [from, to] of lexicon.rules.child.redirect) {
      if (scores[from]) {
        scores[to] = (scores[to] ?? 0) + scores[from]!;
        delete scores[from];
      }
    }
  }
  return { scores, cues: [...best.keys()], matched, frames: [...frames.keys()], now, child };
}

function top(scores: Partial<Record<RiskCategory, number>>): { category: RiskCategory | null; score: number } {
  let category: RiskCategory | null = null;
  let score = 0;
  for (const c of TIE_ORDER) {
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
 * Assesses `text` given the citizen's earlier messages, oldest first. The caller passes
 * only messages inside the rules' context window (`lexicon.rules.context`) and after
 * the citizen last said they were safe; the last `context.messages` of them count.
 */
export function assess(text: string, earlier: readonly string[], lexicon: Lexicon): Assessment {
  const own = scoreMessage(text, lexicon);
  const alone = top(own.scores);
  const reasons = [...own.cues, ...own.frames.map((f) => `frame:${f}`), ...(own.now ? ['now'] : []), ...(own.child ? ['child'] : [])];
  const aloneLevel = levelOf(alone.score, lexicon);
  if (aloneLevel === 'urgent' || alone.score === 0) {
    return { level: aloneLevel, category: alone.category, score: alone.score, fromContext: false, reasons };
  }
  const combined: Partial<Record<RiskCategory, number>> = { ...own.scores };
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
  const together = top(combined);
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
