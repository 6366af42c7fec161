/**
 * The unanswered questions inbox, as pure rules: what is kept of a question the bot could
 * not answer (masked: no phone numbers, ID numbers, emails or names), the terms that tell
 * whether two such questions are the same question in other words, and which open group a
 * new one joins. The store keeps the groups (src/store/unanswered-types.ts); the FAQ
 * step's effect records them (src/flows/effects.ts); staff resolve them in the console
 * (src/console/inbox-api.ts).
 *
 * @example
 * const sample = maskForInbox('hộ nghèo vay vốn làm ăn được không, sđt 0912 345 678');
 * const terms = questionTerms(sample);
 * const group = chooseGroup(terms, await store.unanswered.listOpen(500));
 */
import { maskPersonalNumbers } from '../flows/intake/phone.js';
import { isGenericTerm } from './generic-words.js';
import { foldDiacritics, normalizeSyllables } from './normalize.js';

/** What a masked name becomes. */
export const NAME_MASK = '[tên]';
/** What a masked email becomes. */
export const EMAIL_MASK = '[email]';
/** What a masked phone or ID number becomes (not even its last digits are kept here). */
export const NUMBER_MASK = '***';

/** Words that introduce a name whatever comes after them ("tên tôi là", "tui tên", "con tên"). */
const NAMED = /(t[eê]n\s+(?:c[uủ]a\s+)?(?:t[oô]i|em|tui|m[iì]nh|con|ch[aá]u|anh|ch[iị]|b[eé])\s+l[aà]|(?:t[oô]i|em|tui|m[iì]nh|con|ch[aá]u|b[eé])\s+t[eê]n(?:\s+l[aà])?)\s+/giu;
/** Words that introduce a name only when a capitalised word follows ("tôi là Lan", not "tôi là mẹ đơn thân"). */
const INTRODUCED = /((?:^|[^\p{L}])(?:t[oô]i|em|tui|m[iì]nh|ch[aá]u)\s+l[aà])\s+/giu;
/** Words that follow a name in a sentence rather than belong to it (folded). */
const AFTER_NAME = new Set(
  'o song nam nay tuoi muon hoi co bi thi la can dang va con nha xin sinh que hien lam dia so sdt dt zalo email nhe nha a oi'.split(' '),
);
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
/** Any run of nine or more digits (spaces, dots or dashes between them) left after maskPersonalNumbers. */
const LONG_DIGITS = /\d(?:[ .\-]?\d){8,}/g;

const isCapitalised = (word: string) => /^\p{Lu}/u.test(word);

/**
 * How many characters at `rest`'s start are a name: up to four words, stopping at
 * punctuation or at a word that follows a name rather than belongs to it; with
 * `capitalOnly`, at the first word not capitalised. 0 when there is none.
 */
function nameLength(rest: string, capitalOnly: boolean): number {
  const word = /^(\s*)(\p{L}+)/u;
  let at = 0;
  for (let taken = 0; taken < 4; taken++) {
    const m = word.exec(rest.slice(at));
    if (!m || (taken > 0 && m[1]!.length === 0)) break;
    const w = m[2]!;
    const stop = capitalOnly ? !isCapitalised(w) : !isCapitalised(w) && AFTER_NAME.has(foldDiacritics(w));
    if (stop) break;
    at += m[0].length;
  }
  return at;
}

function maskNames(text: string): string {
  const cut = (input: string, re: RegExp, capitalOnly: boolean) => {
    let out = '';
    let at = 0;
    re.lastIndex = 0;
    for (let m = re.exec(input); m; m = re.exec(input)) {
      const start = m.index + m[0].length;
      if (start < at) continue;
      const length = nameLength(input.slice(start), capitalOnly);
      if (length === 0) continue;
      out += input.slice(at, start) + NAME_MASK;
      at = start + length;
    }
    return out + input.slice(at);
  };
  return cut(cut(text, NAMED, false), INTRODUCED, true);
}

/**
 * What the inbox keeps of a citizen's question: phone and ID numbers, any other run of
 * nine or more digits, emails and names are masked. Nothing else changes, so staff read
 * the question as it was asked.
 *
 * Why names are masked two ways: after "tên tôi là", "tui tên", "con tên" whatever follows
 * is a name (up to four words, lower case too: people type "tui ten lan"); after a bare
 * "tôi là", "em là" only capitalised words are, since "tôi là mẹ đơn thân" is the question.
 *
 * @example maskForInbox('sdt 0912 345 678, cccd 001234567890')     // 'sdt ***, cccd ***'
 * @example maskForInbox('tên tôi là Nguyễn Văn An, hỏi trợ cấp')     // 'tên tôi là [tên], hỏi trợ cấp'
 * @example maskForInbox('tui ten lan o xa binh my')                  // 'tui ten [tên] o xa binh my'
 * @example maskForInbox('tôi là mẹ đơn thân, email an.nv@gmail.com') // 'tôi là mẹ đơn thân, email [email]'
 */
export function maskForInbox(text: string): string {
  const numbers = maskPersonalNumbers(text.normalize('NFC').replace(EMAIL, EMAIL_MASK))
    .replace(/\*\*\*\d{2}/g, NUMBER_MASK)
    .replace(LONG_DIGITS, NUMBER_MASK);
  return maskNames(numbers).replace(/\s+/g, ' ').trim();
}

/**
 * Chat words that say nothing about which question it is ("ơi", "giúp", "trung tâm" in a
 * question to the centre's own bot, "số điện thoại" next to a number left for a call back).
 * Folded syllables; the everyday words of generic-words.ts go too.
 */
const INBOX_FILLERS = new Set('a ah oi nhi ha ak ok ad admin mn mng dum giup giium ui nhe ne vui long cam on trung tam so dien thoai email ten'.split(' '));

/**
 * Particles and question words: a pair with one of them ("vốn để", "ăn không") is how the
 * sentence is built, not what it asks. Folded; "vay" (vậy, vay) and "may" (mấy, máy) are
 * not here, since "vay vốn" and "xe máy" are what a question is about.
 */
const FUNCTION_WORDS = new Set(
  'co khong duoc thi de la ma va nao gi sao the nhu day do nay kia ay ai dau bi cua cho khi neu roi da dang se van cung voi o tai muon phai hoi biet xin'.split(' '),
);

/** A pair of content words counts more than one word ("ho_ngheo"); a pair with an everyday word ("vay_von", "lam_an") as much as one. */
const BIGRAM_WEIGHT = 1.5;

/**
 * The folded content syllables of a question and its pairs of neighbouring syllables,
 * without everyday and paperwork words (generic-words.ts), particles, chat fillers, masks
 * and bare numbers: what two wordings of one question share. A pair is kept when neither
 * syllable is a particle and not both are everyday words.
 *
 * @example questionTerms('Hộ nghèo có được vay vốn làm ăn không?') // ['ngheo', 'von', 'an', 'ho_ngheo', 'vay_von', 'von_lam', 'lam_an']
 */
export function questionTerms(text: string): string[] {
  const cleaned = text.replace(/\*{3}\d*/g, ' ').replace(/\[[^\]]*\]/g, ' ');
  const syllables = normalizeSyllables(cleaned).filter((s) => !/^\d+$/.test(s) && !INBOX_FILLERS.has(s));
  const terms = new Set<string>();
  for (const s of syllables) if (s.length > 1 && !isGenericTerm(s)) terms.add(s);
  for (let i = 0; i + 1 < syllables.length; i++) {
    const [a, b] = [syllables[i]!, syllables[i + 1]!];
    if (FUNCTION_WORDS.has(a) || FUNCTION_WORDS.has(b)) continue;
    const bigram = `${a}_${b}`;
    if (!isGenericTerm(bigram)) terms.add(bigram);
  }
  return [...terms];
}

const weightOf = (term: string) => {
  if (!term.includes('_')) return 1;
  return term.split('_').some((s) => isGenericTerm(s)) ? 1 : BIGRAM_WEIGHT;
};

/**
 * How alike two questions' terms are, 0..1: the mean of the weighted Dice coefficient
 * (shared weight over the mean weight) and the weighted overlap (shared weight over the
 * smaller side). Overlap lets a short wording meet a long one that tells a whole story;
 * Dice keeps two long questions that share one phrase apart.
 *
 * @example similarity(questionTerms('hộ nghèo vay vốn làm ăn'), questionTerms('nha ngheo muon vay von de lam an')) // ≈ 0.93
 * @example similarity(questionTerms('hộ nghèo vay vốn làm ăn'), questionTerms('nghỉ thai sản mấy tháng'))           // 0
 */
export function similarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const inB = new Set(b);
  let shared = 0;
  for (const t of new Set(a)) if (inB.has(t)) shared += weightOf(t);
  if (shared === 0) return 0;
  const wa = [...new Set(a)].reduce((s, t) => s + weightOf(t), 0);
  const wb = [...inB].reduce((s, t) => s + weightOf(t), 0);
  const dice = (2 * shared) / (wa + wb);
  const overlap = shared / Math.min(wa, wb);
  return (dice + overlap) / 2;
}

/** At or above: the same question in other words. Tuned on tests/unanswered.test.ts. */
export const SAME_QUESTION = 0.45;

/**
 * The open group a new question joins: the most similar one at or above SAME_QUESTION
 * (the most recently seen wins a tie), or null for a new group.
 *
 * @example chooseGroup(questionTerms('vay von lam an'), await store.unanswered.listOpen(500)) // a group, or null
 */
export function chooseGroup<G extends { terms: readonly string[]; lastSeen?: Date }>(terms: readonly string[], groups: readonly G[], threshold = SAME_QUESTION): G | null {
  let best: G | null = null;
  let bestScore = threshold;
  for (const g of groups) {
    const score = similarity(terms, g.terms);
    const better = score > bestScore || (score === bestScore && (best === null || (g.lastSeen?.getTime() ?? 0) > (best.lastSeen?.getTime() ?? 0)));
    if (score >= threshold && better) {
      best = g;
      bestScore = score;
    }
  }
  return best;
}

/** A masked number or email with the words that announce it ("sđt ***", "gọi tui ***", "email [email]"). */
const LABELLED_MASK =
  /(?:(?:s[đd]t|s[ốo](?:\s+(?:đi[ệe]n\s+tho[ạa]i|[đd]t))?|[đd]i[ệe]n\s+tho[ạa]i|zalo|e-?mail|g[ọo]i(?:\s+(?:t[ôo]i|tui|em|m[ìi]nh))?|cccd|cmnd|c[ăa]n\s+c[ưu][ớo]c)(?:\s+(?:c[ủu]a\s+)?(?:t[ôo]i|tui|em|m[ìi]nh))?\s*(?:l[àa]|:)?\s*)?(?:\*\*\*|\[email\])/giu;
/** A masked name with the words that introduce it ("tên tôi là [tên]", "tui tên [tên]", "em là [tên]"). */
const NAME_CLAUSE = /(?:t[eê]n\s+(?:c[uủ]a\s+)?)?(?:t[oô]i|em|tui|m[iì]nh|con|ch[aá]u|anh|ch[iị]|b[eé])\s+(?:t[eê]n\s+)?(?:l[aà]\s+)?\[tên\]/giu;

/**
 * The question a group's sample becomes when staff add it to an entry: the masks go with
 * the words that announce them ("sđt ***", "tên tôi là [tên]"), so the entry gets a plain
 * question. Staff may still edit it.
 *
 * @example asPhrasing('nha ngheo, muon vay von lam an thi lam sao, sdt ***') // 'nha ngheo, muon vay von lam an thi lam sao'
 * @example asPhrasing('Chào, tôi là [tên]. Hộ nghèo vay vốn được không?')   // 'Chào. Hộ nghèo vay vốn được không?'
 */
export function asPhrasing(sample: string): string {
  return sample
    .replace(LABELLED_MASK, ' ')
    .replace(NAME_CLAUSE, ' ')
    .replace(/\[(?:tên|email)\]|\*\*\*/g, ' ')
    .replace(/\s+([,.;:!?])/g, '$1')
    .replace(/([,;:])(?=[,.;:!?]|\s*$)/g, '')
    .replace(/^[\s,.;:]+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}
