/**
 * Where does the person needing help live? Checks a citizen's answer against today's
 * administrative units: 34 provinces and 3,321 communes (xã, phường, đặc khu) of the
 * two-tier system in force since 1/7/2025. There are no districts any more.
 *
 * Why this is more than a lookup: citizens type without diacritics, in any case, with or
 * without "tỉnh"/"xã", with chat abbreviations ("tp hcm", "SG"), with the old tone-mark
 * placement ("Hoà"), with typos, and very often with the name of a province that merged
 * into another on 1/7/2025 ("Quảng Nam" is now part of Đà Nẵng). And some names become
 * identical once diacritics are dropped (Xã Sơn Hà / Xã Sơn Hạ in Quảng Ngãi), so the
 * bot must sometimes ask instead of guessing. Every function here is pure and answers
 * with one of three kinds: `found`, `ambiguous` (ask the citizen which one) or `unknown`
 * (ask again). The bot should always read a `found` place back with describePlace (admin-units.ts)
 * before acting on it.
 *
 * Data: `data/admin-units/` (see its README for sources and known doubts), loaded once
 * per process, synchronously, and validated with zod; a broken file stops start-up with
 * a message naming the file and the field.
 *
 * ```ts
 * const p = resolveProvince('tp hcm');           // { kind: 'found', province: { code: '79', … }, via: 'current', … }
 * const c = resolveCommune('79', 'p. Sai Gon');  // { kind: 'found', commune: { name: 'Phường Sài Gòn', … }, … }
 * const both = resolvePlace('xa tan thanh, tay ninh');
 * // both.province.kind === 'found' (Tây Ninh); both.commune.kind === 'ambiguous' (Tân Thành / Tân Thạnh)
 * ```
 */
import { foldDiacritics } from '../../kb/normalize.js';
import {
  type Province,
  type Commune,
  type MatchQuality,
  type ProvinceCandidate,
  type CommuneEntry,
  type ProvinceEntry,
  type AdminUnits,
  shippedAdminUnits,
  type Tok,
  tokenize,
  compactKey,
  toneKey,
} from './admin-units.js';
import { words, startsWith, COMMUNE_TYPE_WORDS, PROVINCE_TYPE_WORDS, DISTRICT_WORDS, type Variant, readings, isTypoOf } from './place-words.js';

export type ProvinceResult =
  | ({ kind: 'found'; match: MatchQuality } & ProvinceCandidate)
  | { kind: 'ambiguous'; candidates: ProvinceCandidate[] }
  | { kind: 'unknown' };

export type CommuneResult =
  | { kind: 'found'; commune: Commune; match: MatchQuality }
  | { kind: 'ambiguous'; candidates: Commune[] }
  | { kind: 'unknown' };

/** What {@link resolvePlace} made of one free answer. */
export interface PlaceResult {
  province: ProvinceResult;
  /** `unknown` also when the answer named no commune; `communeText` then is empty. */
  commune: CommuneResult;
  /** The words read as the commune, as typed ('' when none were left or no province was found). */
  communeText: string;
}

// ---------------------------------------------------------------------------------------
// Provinces
// ---------------------------------------------------------------------------------------

function provinceOutcome(hits: ProvinceEntry[], match: MatchQuality): ProvinceResult | undefined {
  const byProvince = new Map<string, ProvinceCandidate>();
  for (const h of hits) {
    const have = byProvince.get(h.province.code);
    // a current name beats an old one for the same province
    if (!have || (have.via === 'old-name' && h.via === 'current')) {
      byProvince.set(h.province.code, h.via === 'current' ? { province: h.province, via: 'current' } : { province: h.province, via: h.via, oldName: h.oldName! });
    }
  }
  const candidates = [...byProvince.values()].sort((a, b) => a.province.code.localeCompare(b.province.code));
  if (candidates.length === 0) return undefined;
  if (candidates.length === 1) return { kind: 'found', match, ...candidates[0]! };
  return { kind: 'ambiguous', candidates };
}

/** `span`: `toks` is a candidate run of words inside a longer answer, so read it only as a whole. */
function resolveProvinceTokens(toks: readonly Tok[], units: AdminUnits, fuzzy: boolean, span = false): ProvinceResult {
  const names = units.index.provinceNames;
  const groups = readings(toks, PROVINCE_TYPE_WORDS, !span);
  for (const group of groups) {
    const hits = group.flatMap((v) => names.get(compactKey(v.toks)) ?? []);
    const out = provinceOutcome(hits, 'exact');
    if (out) return out;
  }
  if (!fuzzy) return { kind: 'unknown' };
  for (const group of groups) {
    const hits: ProvinceEntry[] = [];
    for (const v of group) {
      for (const entries of names.values()) hits.push(...entries.filter((e) => isTypoOf(v.toks, e)));
    }
    const out = provinceOutcome(hits, 'one-edit');
    if (out) return out;
  }
  return { kind: 'unknown' };
}

/**
 * Which province does the answer name? Accepts today's names and the 63 pre-merger
 * ones, with or without diacritics and "tỉnh"/"thành phố"/"tp"/"tp.", in any case,
 * with either tone-mark placement, the usual nicknames (HCM, TPHCM, Sài Gòn, SG, HN,
 * Vũng Tàu, TT Huế) and one typo when only one province is that close.
 *
 * ```ts
 * resolveProvince('Quảng Nam');   // found: Thành phố Đà Nẵng, via 'old-name', oldName 'Quảng Nam'
 * resolveProvince('tp. hcm');     // found: Thành phố Hồ Chí Minh, via 'current'
 * resolveProvince('Khánh Hoà');   // found: Tỉnh Khánh Hòa (old tone placement)
 * resolveProvince('chanh hoa');   // ambiguous: Thanh Hóa or Khánh Hòa, one letter off each
 * resolveProvince('không biết');  // unknown
 * ```
 *
 * When `via` is `old-name`, tell the citizen the province is now part of the new one;
 * a `one-edit` match should be confirmed before use.
 */
export function resolveProvince(text: string, units: AdminUnits = shippedAdminUnits()): ProvinceResult {
  return resolveProvinceTokens(tokenize(text), units, true);
}

// ---------------------------------------------------------------------------------------
// Communes
// ---------------------------------------------------------------------------------------

/** `typed`: the citizen typed diacritics somewhere in the answer, so they mean the ones they typed. */
function communeOutcome(
  hits: Array<{ entry: CommuneEntry; variant: Variant }>,
  match: MatchQuality,
  typed: boolean,
): CommuneResult | undefined {
  const unique = new Map<string, { entry: CommuneEntry; variant: Variant }>();
  for (const h of hits) if (!unique.has(h.entry.commune.code)) unique.set(h.entry.commune.code, h);
  let list = [...unique.values()];
  if (list.length === 0) return undefined;
  if (list.length > 1 && match === 'exact') {
    // typed with diacritics and exactly one name has those very diacritics: that one
    // ("Xã Thanh An" is not Xã Thạnh An, though "thanh an" may be either)
    const exact = list.filter((h) => typed && toneKey(h.variant.toks) === h.entry.tone);
    if (exact.length === 1) list = exact;
  }
  if (list.length > 1) {
    // "xã Đồng Tiến" when there are Xã Đồng Tiến and Phường Đông Tiến
    const typed = list.filter((h) => h.variant.type !== undefined && h.variant.type === h.entry.commune.type);
    if (typed.length > 0) list = typed;
  }
  if (list.length === 1) return { kind: 'found', commune: list[0]!.entry.commune, match };
  const candidates = list.map((h) => h.entry.commune).sort((a, b) => a.code.localeCompare(b.code));
  return { kind: 'ambiguous', candidates };
}

function resolveCommuneTokens(provinceCode: string, toks: readonly Tok[], units: AdminUnits): CommuneResult {
  const index = units.index.communes.get(provinceCode);
  if (!index) throw new RangeError(`unknown province code ${JSON.stringify(provinceCode)}`);
  const groups = readings(toks, COMMUNE_TYPE_WORDS);
  const typed = toks.some((t) => t.marked);
  for (const group of groups) {
    const hits = group.flatMap((variant) =>
      (index.byCompact.get(compactKey(variant.toks)) ?? []).map((entry) => ({ entry, variant })),
    );
    const out = communeOutcome(hits, 'exact', typed);
    if (out) return out;
  }
  // "a luoi" when there are Xã A Lưới 1 to 5: list them (one alone is taken, to confirm)
  for (const group of groups) {
    const hits = group.flatMap((variant) =>
      index.entries.filter((e) => e.unnumbered === compactKey(variant.toks)).map((entry) => ({ entry, variant })),
    );
    const out = communeOutcome(hits, 'one-edit', typed);
    if (out) return out;
  }
  for (const group of groups) {
    const hits: Array<{ entry: CommuneEntry; variant: Variant }> = [];
    for (const variant of group) {
      for (const entry of index.entries) if (isTypoOf(variant.toks, entry)) hits.push({ entry, variant });
    }
    const out = communeOutcome(hits, 'one-edit', typed);
    if (out) return out;
  }
  return { kind: 'unknown' };
}

/**
 * Which commune of the province does the answer name? Accepts "xã"/"phường"/"đặc khu"/
 * "p."/"x." or no type word, no diacritics, either tone placement, apostrophes and
 * hyphens however spaced ("Ea H Leo", "van mieu-quoc tu giam"), and one typo when only
 * one commune is that close.
 *
 * Some names of one province are the same without diacritics (Sơn Hà / Sơn Hạ,
 * Tân Thành / Tân Thạnh): then the answer is `ambiguous` with every candidate, so the
 * bot can ask, unless the citizen typed diacritics that fit exactly one, or the type
 * word settles it ("xã Đồng Tiến" vs "phường Đông Tiến" in Thanh Hóa).
 *
 * ```ts
 * resolveCommune('51', 'xa son ha');  // ambiguous: Xã Sơn Hà, Xã Sơn Hạ
 * resolveCommune('51', 'Xã Sơn Hạ');  // found: Xã Sơn Hạ
 * resolveCommune('01', 'p. ba dinh'); // found: Phường Ba Đình
 * ```
 *
 * Throws RangeError for a province code that does not exist (a bug, not a citizen's typo).
 */
export function resolveCommune(provinceCode: string, text: string, units: AdminUnits = shippedAdminUnits()): CommuneResult {
  return resolveCommuneTokens(provinceCode, tokenize(text), units);
}

// ---------------------------------------------------------------------------------------
// Free answers: province and commune together
// ---------------------------------------------------------------------------------------

/** Longest run of words tried as a province name ("tỉnh Bà Rịa Vũng Tàu" is 5). */
const MAX_PROVINCE_WORDS = 6;
/** Answers split into more parts than this by commas are not an address. */
const MAX_PARTS = 6;

interface Reading {
  province: ProvinceResult & { kind: 'found' };
  commune: CommuneResult;
  communeText: string;
  score: number[];
}

const communeRank = (r: CommuneResult, empty: boolean): number =>
  r.kind === 'found' ? (r.match === 'exact' ? 4 : 3) : r.kind === 'ambiguous' ? 2 : empty ? 1 : 0;

/**
 * The words left over after the province, as pieces that may each be the commune: each
 * part as it is, then split before an old district word ("xã Tân Thạnh huyện Tân Thạnh").
 * Unsplit parts come first because "quan" may be "quận" or part of a name ("Xã Văn Quan").
 */
function communePieces(rest: Tok[][]): Tok[][] {
  const pieces: Tok[][] = [...rest];
  for (const part of rest) {
    let current: Tok[] = [];
    for (let i = 0; i < part.length; i++) {
      const d = DISTRICT_WORDS.find((w) => startsWith(part, i, w));
      if (d && current.length > 0) {
        pieces.push(current);
        current = [];
        i += d.length - 1;
        continue;
      }
      current.push(part[i]!);
    }
    if (current.length > 0 && current.length < part.length) pieces.push(current);
  }
  return pieces;
}

function readPlace(
  parts: Tok[][],
  units: AdminUnits,
  fuzzy: boolean,
): Reading | { ambiguous: ProvinceCandidate[] } | undefined {
  let best: Reading | undefined;
  let ambiguous: ProvinceCandidate[] | undefined;
  parts.forEach((part, p) => {
    const spans = new Map<string, [number, number]>();
    for (let len = 1; len <= Math.min(MAX_PROVINCE_WORDS, part.length); len++) {
      spans.set(`0:${len}`, [0, len]);
      spans.set(`${part.length - len}:${part.length}`, [part.length - len, part.length]);
    }
    for (const [from, to] of spans.values()) {
      const wholePart = from === 0 && to === part.length;
      const span = part.slice(from, to);
      const province = resolveProvinceTokens(span, units, fuzzy, true);
      if (province.kind === 'unknown') continue;
      const before = part.slice(0, from);
      const after = part.slice(to);
      const rest = [before, after, ...parts.filter((_, i) => i !== p)].filter((r) => r.length > 0);
      const pieces = communePieces(rest);
      // "phường Bình Dương": a province's name may also be a commune's, so the words
      // around it are tried together too (never when the answer is only the province)
      const tries = wholePart ? pieces : [...pieces, part];
      const candidates: ProvinceCandidate[] = [];
      if (province.kind === 'found') candidates.push(province);
      else {
        // a typo that fits two provinces: keep the one where the commune is found
        const fits = province.candidates.filter((c) =>
          tries.some((piece) => resolveCommuneTokens(c.province.code, piece, units).kind !== 'unknown'),
        );
        if (fits.length === 1) candidates.push(fits[0]!);
        else ambiguous ??= province.candidates;
      }
      for (const candidate of candidates) {
        const found: ProvinceResult & { kind: 'found' } =
          province.kind === 'found' ? province : { kind: 'found', match: 'one-edit', ...candidate };
        let commune: CommuneResult = { kind: 'unknown' };
        let communeText = pieces[0]?.map((t) => t.word).join(' ') ?? '';
        for (const piece of tries) {
          const r = resolveCommuneTokens(found.province.code, piece, units);
          if (communeRank(r, false) > communeRank(commune, false)) {
            commune = r;
            communeText = piece.map((t) => t.word).join(' ');
          }
        }
        // a mistyped province inside a longer answer counts only when an exactly named
        // commune of it backs it up ("bà nội tui …" is not "Hà Nội")
        if (found.match === 'one-edit' && !wholePart && communeRank(commune, false) < 4 && commune.kind !== 'ambiguous') continue;
        const score = [
          communeRank(commune, pieces.length === 0),
          wholePart && parts.length > 1 ? 1 : 0,
          found.via === 'current' ? 1 : 0,
          to - from,
          to === part.length ? 1 : 0,
        ];
        if (!best || compareScores(score, best.score) > 0) best = { province: found, commune, communeText, score };
      }
    }
  });
  if (best) return best;
  return ambiguous ? { ambiguous } : undefined;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * Reads one free answer that may hold both the commune and the province, in either
 * order, with or without commas: "xa tan thanh, tay ninh", "phường Ba Đình Hà Nội",
 * "Hội An, Quảng Nam", "Tây Ninh". It finds the words that name a province (today's
 * name, an old one or a nickname; a typo only when nothing matched exactly), then looks
 * for the commune of that province in the rest, and prefers the reading in which the
 * commune is found.
 *
 * ```ts
 * const r = resolvePlace('Hội An, Quảng Nam');
 * // r.province: found, Thành phố Đà Nẵng, via 'old-name', oldName 'Quảng Nam'
 * // r.commune:  found, Phường Hội An
 * if (r.province.kind === 'found' && r.commune.kind === 'found')
 *   say(`Có phải ${describePlace(r.commune.commune, r.province.province)} không ạ?`);
 * ```
 *
 * `commune` is `unknown` with an empty `communeText` when the answer named only a province:
 * ask for the commune next with {@link resolveCommune}.
 */
export function resolvePlace(text: string, units: AdminUnits = shippedAdminUnits()): PlaceResult {
  const parts = text
    .split(/[,;\n|]+/)
    .slice(0, MAX_PARTS)
    .map((p) => tokenize(p))
    .filter((p) => p.length > 0);
  if (parts.length === 0) return { province: { kind: 'unknown' }, commune: { kind: 'unknown' }, communeText: '' };
  const reading = readPlace(parts, units, false) ?? readPlace(parts, units, true);
  if (!reading) return { province: { kind: 'unknown' }, commune: { kind: 'unknown' }, communeText: '' };
  if ('ambiguous' in reading) {
    return { province: { kind: 'ambiguous', candidates: reading.ambiguous }, commune: { kind: 'unknown' }, communeText: '' };
  }
  return { province: reading.province, commune: reading.commune, communeText: reading.communeText };
}

/** Words that only say what kind of place follows. */
const PLACE_TYPE_WORDS = new Set(['xa', 'phuong', 'dac', 'khu', 'tinh', 'thanh', 'pho', 'tp', 'huyen', 'quan', 'thi', 'tran', 'ap', 'thon', 'to', 'khom']);

/**
 * The answer without the place it names: for reading the rest of an answer to "where?"
 * for danger, since a place name is no sign ("phường Hội An, Quảng Nam" is not "ăn …
 * nấm"), while "xã Tân Thành, Tây Ninh, chồng em đang đánh em" still is.
 *
 * @example withoutPlaceNames('phuong hoi an, quang nam, chong em dang danh em') // 'chong em dang danh em'
 */
export function withoutPlaceNames(text: string, units: AdminUnits = shippedAdminUnits()): string {
  const found = resolvePlace(text, units);
  const names: string[] = [];
  if (found.province.kind === 'found') names.push(found.province.province.short, found.province.oldName ?? '');
  if (found.province.kind === 'ambiguous') for (const c of found.province.candidates) names.push(c.province.short, c.oldName ?? '');
  if (found.commune.kind === 'found') names.push(found.commune.commune.short);
  if (found.commune.kind === 'ambiguous') for (const c of found.commune.candidates) names.push(c.short);
  const foldWord = (w: string) => foldDiacritics(w.toLowerCase()).replace(/[^a-z0-9]+/g, ' ').trim();
  const placeWords = new Set(names.flatMap((n) => foldWord(n).split(' ')).filter(Boolean));
  if (placeWords.size === 0) return text;
  return text
    .split(/\s+/)
    .filter((w) => {
      const f = foldWord(w);
      return f === '' || !(placeWords.has(f) || PLACE_TYPE_WORDS.has(f));
    })
    .join(' ');
}

