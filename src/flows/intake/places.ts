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
 * (ask again). The bot should always read a `found` place back with {@link describePlace}
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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { foldDiacritics } from '../../kb/normalize.js';

// ---------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------

/** A province-level unit as of 1/7/2025 (28 tỉnh, 6 thành phố trực thuộc trung ương). */
export interface Province {
  /** Two-digit code from QĐ 19/2025/QĐ-TTg, e.g. "79". Old codes overlap with other meanings. */
  code: string;
  /** Full name with its type, e.g. "Thành phố Hồ Chí Minh", "Tỉnh Tây Ninh". */
  name: string;
  /** Name without the type, e.g. "Hồ Chí Minh". */
  short: string;
  type: 'tỉnh' | 'thành phố';
  /** Short names of the pre-merger provinces, the one whose name was kept first. */
  mergedFrom: string[];
}

/** A commune-level unit as of 1/7/2025. */
export interface Commune {
  /** Five-digit code, e.g. "00004". */
  code: string;
  /** Full name with its type, e.g. "Phường Ba Đình". */
  name: string;
  /** Name without the type, e.g. "Ba Đình". */
  short: string;
  type: 'xã' | 'phường' | 'đặc khu';
  /** Code of the province it belongs to. */
  provinceCode: string;
}

/** One of the 63 provinces as they stood on 30/6/2025. */
export interface OldProvince {
  name: string;
  short: string;
  /** Code of the province it is part of now. */
  now: string;
  /** Its code before 1/7/2025 (means something else today; do not show it). */
  oldCode: string;
  aliases: string[];
}

/** How the province was recognised: by today's name (or a nickname of it) or by a pre-merger name. */
export type ProvinceVia = 'current' | 'old-name';

/** `exact`: the name matched once diacritics, case, spacing and type words are set aside. `one-edit`: a typo was forgiven; confirm before acting. */
export type MatchQuality = 'exact' | 'one-edit';

/** A province the answer may mean, with the name that matched when it was a pre-merger one. */
export interface ProvinceCandidate {
  province: Province;
  via: ProvinceVia;
  /** The pre-merger name the citizen used, e.g. "Quảng Nam" (only when `via` is `old-name`). */
  oldName?: string;
}

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
// Loading
// ---------------------------------------------------------------------------------------

/** The reference data shipped with the project (copied unchanged from shared/admin-units). */
export const DEFAULT_ADMIN_UNITS_DIR = fileURLToPath(new URL('../../../data/admin-units/', import.meta.url));

const provincesSchema = z.array(
  z.object({
    code: z.string().regex(/^\d{2}$/),
    name: z.string().min(1),
    short: z.string().min(1),
    type: z.enum(['tỉnh', 'thành phố']),
    merged_from: z.array(z.string().min(1)).min(1),
  }),
);
const communesSchema = z.array(
  z.object({
    code: z.string().regex(/^\d{5}$/),
    name: z.string().min(1),
    type: z.enum(['xã', 'phường', 'đặc khu']),
    province_code: z.string().regex(/^\d{2}$/),
  }),
);
const oldProvincesSchema = z.array(
  z.object({
    name: z.string().min(1),
    short: z.string().min(1),
    now: z.string().regex(/^\d{2}$/),
    old_code: z.string().regex(/^\d{2}$/),
    aliases: z.array(z.string().min(1)).optional(),
  }),
);

/** A data file is missing, malformed or inconsistent; the message names file and field. */
export class AdminUnitsError extends Error {
  override name = 'AdminUnitsError';
}

/**
 * Nicknames and abbreviations people use, mapped to a name in the data (a current short
 * name, or an old short name or alias, which makes the match `via: 'old-name'`). Case,
 * diacritics and spacing do not matter when matching; keys carry diacritics where the
 * word has them so that a typo typed with diacritics is still forgiven.
 */
const ALIASES: Record<string, string> = {
  HCM: 'Hồ Chí Minh',
  TPHCM: 'Hồ Chí Minh',
  HCMC: 'Hồ Chí Minh',
  'Sài Gòn': 'Hồ Chí Minh',
  SG: 'Hồ Chí Minh',
  HN: 'Hà Nội',
  TPHN: 'Hà Nội',
  'Thừa Thiên': 'Thừa Thiên Huế',
  'TT Huế': 'Thừa Thiên Huế',
  TTH: 'Thừa Thiên Huế',
  'Vũng Tàu': 'Bà Rịa - Vũng Tàu',
  'Bà Rịa': 'Bà Rịa - Vũng Tàu',
  BRVT: 'Bà Rịa - Vũng Tàu',
  'Đắc Lắc': 'Đắk Lắk',
  'Đắc Nông': 'Đắk Nông',
  'Bắc Cạn': 'Bắc Kạn',
};

/** A name as the matcher compares it. */
interface NameKey {
  /** Folded, letters and digits only: "Ea H'Leo" → "eahleo". */
  compact: string;
  /** With diacritics, tone marks moved to the end of each syllable: "Hoà" and "Hòa" agree. */
  tone: string;
  /** Number of words: a typo is forgiven only in an answer of as many words. */
  words: number;
}

interface CommuneEntry extends NameKey {
  commune: Commune;
  /** For a numbered name ("A Lưới 2", "Phường 1 Bảo Lộc"), the compact key without the number. */
  unnumbered?: string;
}

interface ProvinceEntry extends ProvinceCandidate, NameKey {}

/** The loaded data and the indexes the resolvers use. Build with {@link loadAdminUnits}. */
export interface AdminUnits {
  provinces: readonly Province[];
  communes: readonly Commune[];
  oldProvinces: readonly OldProvince[];
  /** The province with this code, if any. */
  province(code: string): Province | undefined;
  /** Communes of a province, in code order ([] for an unknown code). */
  communesOf(provinceCode: string): readonly Commune[];
  /** @internal */
  readonly index: {
    provinceNames: Map<string, ProvinceEntry[]>;
    communes: Map<string, { entries: CommuneEntry[]; byCompact: Map<string, CommuneEntry[]> }>;
  };
}

function readJson<T>(dir: string, file: string, schema: z.ZodType<T>): T {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  } catch (err) {
    throw new AdminUnitsError(`${file}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AdminUnitsError(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

const TYPE_WORD = /^(Xã|Phường|Đặc khu) /;

/**
 * Reads and checks `provinces.json`, `communes.json` and `old-provinces.json` from `dir`
 * (schema, unique codes, every parent and every merger target exists) and builds the
 * indexes. Synchronous; call once. Throws {@link AdminUnitsError}.
 */
export function loadAdminUnits(dir: string = DEFAULT_ADMIN_UNITS_DIR): AdminUnits {
  const rawProvinces = readJson(dir, 'provinces.json', provincesSchema);
  const rawCommunes = readJson(dir, 'communes.json', communesSchema);
  const rawOld = readJson(dir, 'old-provinces.json', oldProvincesSchema);

  const provinces: Province[] = rawProvinces.map((p) => ({
    code: p.code,
    name: p.name,
    short: p.short,
    type: p.type,
    mergedFrom: p.merged_from,
  }));
  const byCode = new Map<string, Province>();
  for (const p of provinces) {
    if (byCode.has(p.code)) throw new AdminUnitsError(`provinces.json: duplicate code ${p.code}`);
    byCode.set(p.code, p);
  }

  const communes: Commune[] = [];
  const seenCommune = new Set<string>();
  const communesByProvince = new Map<string, Commune[]>(provinces.map((p) => [p.code, []]));
  for (const c of rawCommunes) {
    if (seenCommune.has(c.code)) throw new AdminUnitsError(`communes.json: duplicate code ${c.code}`);
    seenCommune.add(c.code);
    const list = communesByProvince.get(c.province_code);
    if (!list) throw new AdminUnitsError(`communes.json: ${c.code}: unknown province_code ${c.province_code}`);
    const commune: Commune = {
      code: c.code,
      name: c.name,
      short: c.name.replace(TYPE_WORD, ''),
      type: c.type,
      provinceCode: c.province_code,
    };
    communes.push(commune);
    list.push(commune);
  }

  const oldProvinces: OldProvince[] = rawOld.map((o) => {
    if (!byCode.has(o.now)) throw new AdminUnitsError(`old-provinces.json: ${o.short}: unknown now ${o.now}`);
    return { name: o.name, short: o.short, now: o.now, oldCode: o.old_code, aliases: o.aliases ?? [] };
  });

  // Province names: current names first so that a name that is both current and old
  // ("Tây Ninh") counts as current.
  const provinceNames = new Map<string, ProvinceEntry[]>();
  const addName = (text: string, entry: ProvinceCandidate): void => {
    const key = nameKey(tokenize(text));
    const list = provinceNames.get(key.compact) ?? [];
    if (!list.some((e) => e.province.code === entry.province.code)) list.push({ ...entry, ...key });
    provinceNames.set(key.compact, list);
  };
  for (const p of provinces) {
    addName(p.short, { province: p, via: 'current' });
    addName(p.name, { province: p, via: 'current' });
  }
  const targets = new Map<string, ProvinceCandidate>();
  for (const p of provinces) targets.set(p.short, { province: p, via: 'current' });
  for (const o of oldProvinces) {
    const p = byCode.get(o.now)!;
    for (const name of [o.short, o.name, ...o.aliases]) {
      const oldName = name === o.name ? o.short : name.replace(/^(Tỉnh|Thành phố) /, '');
      const entry: ProvinceCandidate = { province: p, via: 'old-name', oldName };
      addName(name, entry);
      if (!targets.has(oldName)) targets.set(oldName, entry);
    }
  }
  for (const [alias, target] of Object.entries(ALIASES)) {
    const entry = targets.get(target);
    if (!entry) throw new AdminUnitsError(`alias "${alias}" names ${target}, which is not in the data`);
    addName(alias, entry);
  }

  const communeIndex = new Map<string, { entries: CommuneEntry[]; byCompact: Map<string, CommuneEntry[]> }>();
  for (const [code, list] of communesByProvince) {
    if (list.length === 0) throw new AdminUnitsError(`communes.json: province ${code} has no communes`);
    const entries = list.map((commune): CommuneEntry => {
      const toks = tokenize(commune.short);
      const letters = toks.filter((t) => !/^\d+$/.test(t.fold));
      const unnumbered = letters.length < toks.length && letters.length > 0 ? compactKey(letters) : undefined;
      return { commune, ...nameKey(toks), ...(unnumbered ? { unnumbered } : {}) };
    });
    const byCompact = new Map<string, CommuneEntry[]>();
    for (const e of entries) byCompact.set(e.compact, [...(byCompact.get(e.compact) ?? []), e]);
    communeIndex.set(code, { entries, byCompact });
  }

  return {
    provinces,
    communes,
    oldProvinces,
    province: (code) => byCode.get(code),
    communesOf: (code) => communesByProvince.get(code) ?? [],
    index: { provinceNames, communes: communeIndex },
  };
}

let shipped: AdminUnits | undefined;
/** The shipped data, loaded once per process. */
export function shippedAdminUnits(): AdminUnits {
  shipped ??= loadAdminUnits(DEFAULT_ADMIN_UNITS_DIR);
  return shipped;
}

// ---------------------------------------------------------------------------------------
// Text handling
// ---------------------------------------------------------------------------------------

/** One word of the answer in the forms the matcher needs. */
interface Tok {
  /** As typed (NFC), for echoing back. */
  word: string;
  /** Folded: no diacritics, đ → d, lower case. */
  fold: string;
  /** Diacritics kept, lower case, tone mark moved to the end: "hoà" and "hòa" agree. */
  tone: string;
  /** The word carries diacritics, so the citizen is typing them. */
  marked: boolean;
}

/** The five Vietnamese tone marks as combining characters (grave, acute, tilde, hook, dot below). */
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;

/** Longest answer looked at; a place name is never longer, and this bounds the work per message. */
const MAX_TOKENS = 30;

/**
 * Splits text into words: apostrophes vanish ("H'Leo" = "HLeo" = "H Leo" once compacted),
 * hyphens and punctuation separate, digits part from letters ("p1" = "p 1").
 */
function tokenize(text: string): Tok[] {
  const words =
    text
      .normalize('NFC')
      .replace(/[’‘ʼ`´]/g, "'")
      .replace(/(\p{L})(\p{N})/gu, '$1 $2')
      .replace(/(\p{N})(\p{L})/gu, '$1 $2')
      .match(/[\p{L}\p{M}\p{N}']+/gu) ?? [];
  const kept = words.map((w) => w.replace(/^'+|'+$/g, '')).filter((w) => /[\p{L}\p{N}]/u.test(w));
  return kept.slice(0, MAX_TOKENS).map((word) => {
    const lower = word.replace(/'/g, '').toLowerCase();
    const fold = foldDiacritics(lower);
    const nfd = lower.normalize('NFD');
    const tones = nfd.match(TONE_MARKS)?.join('') ?? '';
    const tone = (nfd.replace(TONE_MARKS, '') + tones).normalize('NFC');
    return { word, fold, tone, marked: fold !== lower };
  });
}

const compactKey = (toks: readonly Tok[]): string => toks.map((t) => t.fold).join('');
const toneKey = (toks: readonly Tok[]): string => toks.map((t) => t.tone).join('');
const nameKey = (toks: readonly Tok[]): NameKey => ({ compact: compactKey(toks), tone: toneKey(toks), words: toks.length });

/** A word in a fixed phrase: folded form, and the tone form it must have when typed with diacritics. */
type Word = { fold: string; tone: string };
const words = (phrase: string): Word[] => tokenize(phrase).map(({ fold, tone }) => ({ fold, tone }));

/**
 * Does `toks` start with `phrase` at `at`? A word typed without diacritics matches
 * loosely ("xa" may be "xã"); typed with them it must be the word ("Xà" is not "xã").
 */
function startsWith(toks: readonly Tok[], at: number, phrase: readonly Word[]): boolean {
  return phrase.every((w, i) => {
    const t = toks[at + i];
    return t !== undefined && t.fold === w.fold && (!t.marked || t.tone === w.tone);
  });
}

interface TypeWord {
  words: Word[];
  type?: Commune['type'];
}

/** Words that introduce a commune; the type narrows a collision like Đồng Tiến (xã) / Đông Tiến (phường). */
const COMMUNE_TYPE_WORDS: TypeWord[] = [
  { words: words('đặc khu'), type: 'đặc khu' },
  { words: words('phường'), type: 'phường' },
  { words: words('xã'), type: 'xã' },
  { words: words('thị trấn') },
  { words: words('đk'), type: 'đặc khu' },
  { words: words('p'), type: 'phường' },
  { words: words('x'), type: 'xã' },
  { words: words('tt') },
];

/** Words that introduce a province. */
const PROVINCE_TYPE_WORDS: TypeWord[] = [
  { words: words('thành phố') },
  { words: words('tỉnh') },
  { words: words('thủ đô') },
  { words: words('tp') },
  { words: words('t p') },
];

/** "ở Tây Ninh", "tại xã …", "thuộc phường …": the place comes after. */
const LOCATIVES: Word[][] = [words('ở'), words('tại'), words('thuộc')];
/** Politeness at the end of an answer: "Tây Ninh ạ", "… nhé". */
const PARTICLES: Word[][] = [words('ạ'), words('nhé'), words('nha'), words('nhe'), words('à')];
/** Old district words that may follow the commune in an old-style address. */
const DISTRICT_WORDS: Word[][] = [words('huyện'), words('quận'), words('thị xã')];

interface Variant {
  toks: Tok[];
  type?: Commune['type'];
}

function typeWordAt(toks: readonly Tok[], at: number, list: readonly TypeWord[]): TypeWord | undefined {
  return list.find((tw) => startsWith(toks, at, tw.words));
}

/**
 * The readings of an answer to try, best first: as typed with a leading type word
 * removed (and, when that word was typed without diacritics, also kept: "Phương Liệt"
 * typed "phuong liet" is a name, not "phường Liệt"); then the words after a type word
 * further in ("nhà em ở xã Tân Thạnh"), after a locative ("ở Tây Ninh"), and without a
 * closing particle ("Tây Ninh ạ"). Returned in groups: readings of one group compete.
 */
function readings(toks: readonly Tok[], typeWords: readonly TypeWord[], inner = true): Variant[][] {
  const groups: Variant[][] = [];
  const lead = (ts: Tok[]): Variant[] => {
    const tw = typeWordAt(ts, 0, typeWords);
    if (!tw) return [{ toks: ts }];
    // a type word alone ("phường") names nothing
    if (ts.length === tw.words.length) return [];
    const stripped: Variant = { toks: ts.slice(tw.words.length), type: tw.type };
    const loose = ts.slice(0, tw.words.length).every((t) => !t.marked);
    return loose ? [stripped, { toks: ts }] : [stripped];
  };
  const push = (ts: Tok[]): void => {
    const g = lead(ts).filter((v) => v.toks.length > 0);
    if (g.length > 0) groups.push(g);
  };
  const all = [...toks];
  push(all);
  for (let i = 1; inner && i < all.length; i++) {
    if (typeWordAt(all, i, typeWords)) {
      push(all.slice(i));
      break;
    }
  }
  for (let i = all.length - 2; inner && i >= 0; i--) {
    const loc = LOCATIVES.find((l) => startsWith(all, i, l));
    if (loc) {
      push(all.slice(i + loc.length));
      break;
    }
  }
  const last = all.length - 1;
  if (last > 0 && PARTICLES.some((p) => p.length === 1 && startsWith(all, last, p))) {
    for (const g of readings(all.slice(0, last), typeWords, inner)) groups.push(g);
  }
  return groups;
}

/** Is `a` at most one edit from `b`: one letter inserted, deleted or replaced, or two neighbours swapped ("tay ninhh", "ba din", "thanh hao")? */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1); // delete / insert
}

/** Below this many letters a one-edit match is too likely a coincidence ("vâng" is one letter from "Láng"). */
const MIN_FUZZY_LENGTH = 5;

/**
 * Is the answer a typo of this name? One edit on the folded name, in an answer of at
 * least {@link MIN_FUZZY_LENGTH} letters and as many words; and when the citizen typed
 * diacritics, the typo must be the only difference ("huyện" is one letter from
 * "Phú Yên" folded, but not with its diacritics).
 */
function isTypoOf(toks: readonly Tok[], name: NameKey): boolean {
  const key = compactKey(toks);
  if (key.length < MIN_FUZZY_LENGTH || toks.length !== name.words || !withinOneEdit(key, name.compact)) return false;
  return !toks.some((t) => t.marked) || withinOneEdit(toneKey(toks), name.tone);
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

/**
 * The place in words, to read back before acting on it: "Phường Ba Đình, Thành phố Hà Nội".
 * Uses today's official names, so a citizen who said "Hội An, Quảng Nam" hears
 * "Phường Hội An, Thành phố Đà Nẵng" and can say whether that is right.
 *
 * Throws when the commune is not in that province (a bug in the caller).
 */
export function describePlace(commune: Commune, province: Province): string {
  if (commune.provinceCode !== province.code) {
    throw new RangeError(`${commune.name} (${commune.code}) is not in ${province.name} (${province.code})`);
  }
  return `${commune.name}, ${province.name}`;
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
