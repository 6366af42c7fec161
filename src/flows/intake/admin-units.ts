/**
 * Today's administrative units, loaded once: the 34 provinces and 3,321 communes of the
 * two-tier system in force since 1/7/2025 and the 63 provinces before it
 * (`data/admin-units/`, its README names the sources), validated with zod, with the name
 * indexes that src/flows/intake/places.ts resolves answers against. A broken file stops
 * start-up with a message naming the file and the field.
 *
 * @example shippedAdminUnits().province('48')?.name // 'Thành phố Đà Nẵng'
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromRoot } from '../../server/paths.js';
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

// ---------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------

/** The reference data shipped with the project (copied unchanged from shared/admin-units). */
export const DEFAULT_ADMIN_UNITS_DIR = fromRoot('data', 'admin-units/');

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
export interface NameKey {
  /** Folded, letters and digits only: "Ea H'Leo" → "eahleo". */
  compact: string;
  /** With diacritics, tone marks moved to the end of each syllable: "Hoà" and "Hòa" agree. */
  tone: string;
  /** Number of words: a typo is forgiven only in an answer of as many words. */
  words: number;
}

export interface CommuneEntry extends NameKey {
  commune: Commune;
  /** For a numbered name ("A Lưới 2", "Phường 1 Bảo Lộc"), the compact key without the number. */
  unnumbered?: string;
}

export interface ProvinceEntry extends ProvinceCandidate, NameKey {}

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
export interface Tok {
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
export function tokenize(text: string): Tok[] {
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

export const compactKey = (toks: readonly Tok[]): string => toks.map((t) => t.fold).join('');
export const toneKey = (toks: readonly Tok[]): string => toks.map((t) => t.tone).join('');
const nameKey = (toks: readonly Tok[]): NameKey => ({ compact: compactKey(toks), tone: toneKey(toks), words: toks.length });

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

/**
 * The place a case or an answer names, for reading back: "Phường Hội An, Thành phố Đà
 * Nẵng", the province alone when the commune is unknown, or null.
 */
export function placeName(provinceCode: string | null | undefined, communeCode: string | null | undefined, units: AdminUnits = shippedAdminUnits()): string | null {
  const province = units.province(provinceCode ?? '');
  if (!province) return null;
  const commune = units.communesOf(province.code).find((c) => c.code === communeCode);
  return commune ? describePlace(commune, province) : province.name;
}
