/**
 * Vietnamese text normalisation for retrieval.
 *
 * Citizens type with or without diacritics, with chat abbreviations and regional
 * words. Everything is folded to one ASCII form so that "trợ cấp người già bao nhiêu",
 * "tro cap nguoi gia bn" and "tiền người già lãnh nhiêu" meet the same terms.
 */

import { foldTypedKeys } from './typing.js';

/** Lowercase, fold diacritics and đ, keep letters and digits. */
export function foldDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase();
}

/**
 * Folded words joined by single spaces, punctuation dropped: how short commands and
 * button labels are compared ("Hủy!" and "huy" agree, "Gửi phiếu" is "gui phieu").
 */
export function foldedPhrase(text: string): string {
  return foldDiacritics(text).replace(/[^a-z0-9 ]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Whole-token abbreviations and regional words, mapped to the standard syllables.
 * Applied after folding, so keys are ASCII.
 */
const TOKEN_MAP: Record<string, string> = {
  nkt: 'nguoi khuyet tat',
  nct: 'nguoi cao tuoi',
  ctxh: 'cong tac xa hoi',
  btxh: 'bao tro xa hoi',
  tgxh: 'tro giup xa hoi',
  tcxh: 'tro cap xa hoi',
  ubnd: 'uy ban nhan dan',
  ub: 'uy ban',
  bhyt: 'bao hiem y te',
  bhxh: 'bao hiem xa hoi',
  sdt: 'so dien thoai',
  dt: 'dien thoai',
  tvv: 'tu van vien',
  ldtbxh: 'lao dong thuong binh xa hoi',
  hcn: 'ho can ngheo',
  kt: 'khuyet tat',
  tgpl: 'tro giup phap ly',
  bldg: 'bao luc gia dinh',
  ko: 'khong',
  khog: 'khong',
  hk: 'khong',
  mun: 'muon',
  ngta: 'nguoi ta',
  bh: 'bao hiem',
  tk: 'tai khoan',
  xh: 'xa hoi',
  tc: 'tro cap',
  ls: 'luat su',
  cccd: 'can cuoc cong dan',
  cmnd: 'chung minh nhan dan',
  online: 'truc tuyen',
  onl: 'truc tuyen',
  k: 'khong',
  kh: 'khong',
  hong: 'khong',
  hok: 'khong',
  hem: 'khong',
  khg: 'khong',
  kg: 'khong',
  dc: 'duoc',
  bn: 'bao nhieu',
  bnh: 'bao nhieu',
  nhiu: 'nhieu',
  j: 'gi',
  z: 'vay',
  dzay: 'vay',
  ntn: 'nhu the nao',
  tvtl: 'tu van tam ly',
  lm: 'lam',
  vs: 'voi',
  ng: 'nguoi',
  nguoj: 'nguoi',
  tr: 'trieu',
  đ: 'dong',
  tui: 'toi',
  mik: 'minh',
  mn: 'moi nguoi',
  ck: 'chong',
  vk: 'vo',
  lanh: 'nhan',
  linh: 'nhan',
  mi: 'may',
  rang: 'sao',
};

/**
 * Multi-syllable phrases people use for the same thing. Left side is folded text;
 * replacement happens on whole syllables.
 */
const PHRASE_MAP: Array<[string, string]> = [
  ['luong xa hoi', 'tro cap xa hoi'],
  ['tien gia', 'tro cap nguoi cao tuoi'],
  ['qua mang', 'truc tuyen'],
  ['tren mang', 'truc tuyen'],
  ['tien xa hoi', 'tro cap xa hoi'],
  ['tien bao tro', 'tro cap bao tro xa hoi'],
  ['tien tro cap', 'tro cap'],
  ['tro cap hang thang', 'tro cap xa hoi hang thang'],
  ['tien nguoi gia', 'tro cap nguoi cao tuoi'],
  ['luong nguoi gia', 'tro cap nguoi cao tuoi'],
  ['luong huu xa hoi', 'tro cap huu tri xa hoi'],
  ['nguoi gia', 'nguoi cao tuoi'],
  ['ong ba gia', 'nguoi cao tuoi'],
  ['cu gia', 'nguoi cao tuoi'],
  ['ba gia', 'ba cao tuoi'],
  ['ong gia', 'ong cao tuoi'],
  ['tan tat', 'khuyet tat'],
  ['tat nguyen', 'khuyet tat'],
  ['nguoi tan tat', 'nguoi khuyet tat'],
  ['moi thang', 'hang thang'],
  ['1 thang', 'hang thang'],
  ['mot thang', 'hang thang'],
  ['xa phuong', 'xa'],
  ['phuong xa', 'xa'],
  ['giay to', 'ho so'],
  ['thu tuc', 'ho so thu tuc'],
  ['the bao hiem', 'bao hiem y te'],
  ['bao hiem kham benh', 'bao hiem y te'],
  ['tien chon cat', 'mai tang'],
  ['tien lam dam', 'mai tang'],
  ['chon cat', 'mai tang'],
  ['ma chay', 'mai tang'],
  ['dam ma', 'mai tang'],
  ['luat su mien phi', 'tro giup phap ly'],
  ['so hotline', 'so dien thoai'],
  ['hot line', 'hotline'],
  ['tong dai', 'so dien thoai tong dai'],
  ['con coi', 'mo coi'],
  ['mo coi cha me', 'mo coi'],
  ['nha ngheo', 'ho ngheo'],
  ['gia dinh ngheo', 'ho ngheo'],
  ['so ngheo', 'ho ngheo'],
  // Spelled as said: s/x, d/gi, tr/ch are one sound in much of the country ("hồ xơ", "dấy tờ", "bảo chợ").
  ['ho xo', 'ho so'],
  ['day to', 'giay to'],
  ['bao cho xa hoi', 'bao tro xa hoi'],
  ['me don than', 'don than'],
  ['nuoi con mot minh', 'don than nuoi con'],
  ['mot minh nuoi con', 'don than nuoi con'],
  ['nghien hut', 'nghien ma tuy'],
  ['benh tam than', 'tam than'],
  ['nguoi dien', 'tam than'],
  ['bi dien', 'tam than'],
  ['gap nguoi that', 'gap tu van vien'],
  ['noi chuyen voi nguoi', 'gap tu van vien'],
  ['nhan vien tu van', 'tu van vien'],
  ['can bo tu van', 'tu van vien'],
];

const PHRASES = PHRASE_MAP.map(
  ([from, to]) => [from, new RegExp(`(^| )${from}(?= |$)`, 'g'), `$1${to}`] as const,
);

/**
 * A word typed with the Telex or VNI keys and no input method ("nguowif", "ca61p") as
 * its folded syllable; any other word, abbreviations included, as it is.
 */
const untyped = (tok: string): string => {
  if (Object.hasOwn(TOKEN_MAP, tok)) return tok;
  const decoded = foldTypedKeys(tok);
  if (decoded) return decoded;
  // "ddc", "ddt": Telex's "đ" typed before an abbreviation ("đc", "đt").
  const dropped = tok.startsWith('dd') ? tok.slice(1) : '';
  return dropped && Object.hasOwn(TOKEN_MAP, dropped) ? dropped : tok;
};

/**
 * An abbreviation as the syllables it stands for. "t" is "tuổi" after a number ("81t",
 * split to "81 t") and "tôi" elsewhere ("me t 81t").
 */
const expand = (tok: string, i: number, all: readonly string[]): string => {
  if (tok === 't') return i > 0 && /^\d+$/.test(all[i - 1]!) ? 'tuoi' : 'toi';
  return Object.hasOwn(TOKEN_MAP, tok) ? TOKEN_MAP[tok]! : tok; // own keys only: "constructor" is a word, not a function
};

/**
 * The last texts normalised: one citizen's message is read by several steps of a turn
 * (greeting check, help-in-general check, retrieval, classifier), each normalising it;
 * the phrase rules are the costly part. Cleared when full; the result is copied out.
 */
const RECENT_LIMIT = 256;
const recent = new Map<string, readonly string[]>();

/** Syllables after folding, Telex/VNI decoding, abbreviation expansion and phrase mapping. */
export function normalizeSyllables(text: string): string[] {
  const known = recent.get(text);
  if (known) return [...known];
  const syllables = syllablesOf(text);
  if (recent.size >= RECENT_LIMIT) recent.clear();
  recent.set(text, syllables);
  return [...syllables];
}

function syllablesOf(text: string): string[] {
  const folded = foldDiacritics(text)
    .replace(/[^a-z0-9]+/g, ' ')
    // before digits are split off: "ca61p" is VNI for "cấp"
    .split(' ')
    .map(untyped)
    .join(' ')
    // "6t", "80t", "500k": split digits from a unit so both parts are searchable
    .replace(/(\d)([a-z])/g, '$1 $2')
    .trim();
  if (!folded) return [];
  const expanded = folded
    .split(' ')
    .map(expand)
    .join(' ');
  let phrased = expanded;
  // A plain substring test first: most phrases are absent, and it is far cheaper than the regex.
  for (const [from, re, to] of PHRASES) if (phrased.includes(from)) phrased = phrased.replace(re, to);
  return phrased.split(' ').filter(Boolean);
}
