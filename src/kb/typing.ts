/**
 * Vietnamese typed with the Telex or VNI keys while no Vietnamese input method was on.
 *
 * Telex and VNI spell a letter's shape and tone with extra keys: with the input method
 * off, "người khuyết tật" arrives as "nguowif khuyeets taajt" (Telex) and "trợ cấp" as
 * "tro75 ca61p" (VNI). Retrieval folds everything to toneless ASCII syllables, so
 * decoding only has to find which characters were keys and drop them:
 *
 * - Telex: tone keys s f r x j (sắc huyền hỏi ngã nặng); shape keys aa ee oo (â ê ô),
 *   aw ow uw (ă ơ ư), a "w" straight after the first consonants for ư ("nhw" is "như"),
 *   dd for đ at the start.
 * - VNI: tone digits 1 2 3 4 5 (sắc huyền hỏi ngã nặng); shape digits 6 (â ê ô), 7 (ơ ư),
 *   8 (ă), 9 (đ, after the d).
 * - Both: a tone key straight after a vowel or at the end of the syllable ("taajt",
 *   "taatj"); a shape key straight after its vowel or at the end ("tuwf", "tufw").
 *
 * A token is decoded only when, as typed, it cannot be a folded Vietnamese syllable and,
 * with its keys dropped, it is one (onset, vowel group and final that Vietnamese allows,
 * and a tone the final allows: no huyền, hỏi or ngã before c, ch, p, t). Known English
 * and chat words that would pass anyway ("bus", "test", "how", "taxi") are left alone.
 *
 * @example foldTypedKeys('nguowif') // 'nguoi'
 * @example foldTypedKeys('ca61p') // 'cap'
 * @example foldTypedKeys('bus') // null
 */

/**
 * Vowel groups with their finals as Vietnamese writes them, without tone marks. A typed
 * syllable matches one when its shaped letters agree and its plain ones fold to it
 * (someone who skips a shape key types "tuoi" for tươi).
 */
const RIME_LIST = (
  // no final
  'a e ê i o ô ơ u ư y ai ao au âu ay ây eo êu ia iu oa oe oi ôi ơi ua ưa uê ui ưi ưu uy uơ ' +
  'oai oay oeo uây uôi ươi ươu uya uyu iêu yêu ' +
  // -c -ch
  'ac ăc âc ec oc ôc uc ưc iêc uôc ươc oac oăc ooc ach êch ich oach uêch uych ' +
  // -m -n -ng -nh
  'am ăm âm em êm im om ôm ơm um iêm yêm uôm ươm oam oăm ' +
  'an ăn ân en ên in on ôn ơn un iên yên uôn ươn oan oăn uân uyên oen ' +
  'ang ăng âng eng ong ông ung ưng iêng uông ương oang oăng uâng oong ' +
  'anh ênh inh oanh uênh uynh ' +
  // -p -t
  'ap ăp âp ep êp ip op ôp ơp up iêp ươp ' +
  'at ăt ât et êt it ot ôt ơt ut ưt iêt yêt uôt ươt oat oăt uât uyêt oet uyt'
).split(' ');

/** Shaped letters and the plain letter each folds to. */
const PLAIN: Record<string, string> = { â: 'a', ă: 'a', ê: 'e', ô: 'o', ơ: 'o', ư: 'u', đ: 'd' };

const foldShapes = (s: string): string => s.replace(/[âăêôơưđ]/g, (c) => PLAIN[c]!);

/** Every rime with any of its shaped letters folded: "ươi", "uơi", "ưoi", "uoi". */
const RIMES = new Set(
  RIME_LIST.flatMap((rime) => {
    let forms = [''];
    for (const c of rime) forms = forms.flatMap((f) => (PLAIN[c] ? [f + c, f + PLAIN[c]] : [f + c]));
    return forms;
  }),
);

/** Initial consonants, longest first. No "p" alone: it starts only loanwords. */
const ONSETS = ['ngh', 'ng', 'gh', 'gi', 'kh', 'nh', 'ph', 'qu', 'th', 'tr', 'ch', 'b', 'c', 'd', 'đ', 'g', 'h', 'k', 'l', 'm', 'n', 'r', 's', 't', 'v', 'x', ''];

/** Finals after which a syllable takes only sắc or nặng (or no mark, when tones are skipped). */
const STOP_FINAL = /(c|ch|p|t)$/;

/** Whether onset + rime is spelled the way Vietnamese spells it. */
function onsetFits(onset: string, rime: string): boolean {
  const front = /^[eêiy]/.test(rime);
  if (onset === 'k' || onset === 'gh' || onset === 'ngh') return front;
  if (onset === 'c' || onset === 'ng') return !front;
  // "gì", "gìn": the i after g is the vowel.
  if (onset === 'g') return !/^[eêy]/.test(rime);
  if (onset === 'gi') return !/^i/.test(rime);
  if (onset === 'qu') return !/^(u|ư|oa|oă|oe)/.test(rime);
  // "yê" starts a syllable or follows qu ("quyền"); "thuở", "huơ" are the only "uơ".
  if (/^y[eê]/.test(rime)) return onset === '' || onset === 'qu';
  if (/^u[oơ]$/.test(rime)) return onset === 'th' || onset === 'h';
  return true;
}

/**
 * Whether a toneless syllable (shaped letters as typed, plain ones possibly skipped) is
 * spelled as Vietnamese spells it, with the tone typed for it ('' or a Telex tone letter).
 */
function isSyllable(syllable: string, tone: string): boolean {
  if ((tone === 'f' || tone === 'r' || tone === 'x') && STOP_FINAL.test(syllable)) return false;
  for (const onset of ONSETS) {
    if (!syllable.startsWith(onset)) continue;
    const rime = syllable.slice(onset.length);
    if (rime === '' && onset === 'gi') return true;
    if (RIMES.has(rime) && onsetFits(onset, rime)) return true;
  }
  return false;
}

/** The loose shape of a folded syllable (as src/flows/triage/text.ts checks it). */
const LOOSE_SYLLABLE = /^(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}(ng|nh|ch|[cmnpt])?$/;

/** Real words with "oo" (xoong, boong, soóc, moóc); any other "oo", "aa", "ee" is Telex. */
const REAL_OO = new Set(['xoong', 'boong', 'sooc', 'mooc']);

/**
 * Whether a folded token could already be a Vietnamese syllable typed without marks, so
 * it is left as it is. Doubled a, e and o are Telex shape keys, not Vietnamese spelling.
 *
 * @example isPlausibleSyllable('khong') // true
 * @example isPlausibleSyllable('khoong') // false: "oo" is the Telex for ô
 */
export function isPlausibleSyllable(token: string): boolean {
  if (!LOOSE_SYLLABLE.test(token)) return false;
  if (/aa|ee/.test(token)) return false;
  return !token.includes('oo') || REAL_OO.has(token);
}

/**
 * Words that are not syllables as typed, that decode to one, and that people here mean
 * as typed: English and loanwords seen in chat, file types, chat abbreviations. Words
 * whose Telex reading is an everyday Vietnamese word are not listed, even when they are
 * also English: "sow" is sơ (hồ sơ), "cow" cơ (cơ quan), "own" ơn (cảm ơn), "car" cả,
 * "corn" còn, "its" ít, "been" bên, "queen" quên.
 */
const KEEP_AS_TYPED = new Set(
  (
    // ending in a Telex tone letter
    'bus gas sos his has was this max mix tax box sex six hix hex lux her sir air chair ref ' +
    'taxi maxi sexy docx dis sis est esp ins ups oops ' +
    'test best rest nest vest most host cost lost list mist fist cast vast mast must dust just ' +
    'trust boost chest quest turn born term ' +
    'tips chips maps apps docs guys days says runs lens songs ' +
    // with w, or with doubled e or o
    'how now low row chow meow town down ' +
    'see bee lee too boo keep meet seen teen room rooms door roof root boot soon boom loop ' +
    // chat abbreviations (TW is also trung ương)
    'hw pw sw bw tw'
  ).split(' '),
);

/** Telex tone letters. */
const TELEX_TONES = new Set(['s', 'f', 'r', 'x', 'j']);
/** VNI tone digits, as the matching Telex letter. */
const VNI_TONES: Record<string, string> = { '1': 's', '2': 'f', '3': 'r', '4': 'x', '5': 'j' };
/** Shape keys: which plain vowel each turns into which shaped one. */
const CIRCUMFLEX: Record<string, string> = { a: 'â', e: 'ê', o: 'ô' };
const HORN: Record<string, string> = { o: 'ơ', u: 'ư' };
const BREVE: Record<string, string> = { a: 'ă' };
const TELEX_W: Record<string, string> = { ...HORN, ...BREVE };
const VNI_SHAPES: Record<string, Record<string, string>> = { '6': CIRCUMFLEX, '7': HORN, '8': BREVE };

interface Decoded {
  /** The syllable with its shapes (ư, ơ, â ... đ) and no tone. */
  syllable: string;
  /** Tone typed, as a Telex letter, or ''. */
  tone: string;
  /** Whether a shape key (aa, ow, dd, 6, 7, 9 ...) was typed. */
  shape: boolean;
  /** Whether the only key was a final "j" (teencode writes i as j: "tuj", "laj"). */
  finalJOnly: boolean;
}

const VOWELS = 'aeiouyâăêôơư';
const isVowel = (c: string | undefined): boolean => c !== undefined && VOWELS.includes(c);
const hasVowel = (s: string): boolean => [...s].some(isVowel);

/**
 * A shape key typed after the syllable's final ("tufw", "tien6"): shapes the last vowel
 * it can shape. The syllable so far, reshaped, or null when no vowel takes it.
 */
function shapeLate(out: string, shapes: Record<string, string>): string | null {
  for (let k = out.length - 1; k >= 0; k--) {
    const c = out[k]!;
    if (shapes[c]) return out.slice(0, k) + shapes[c] + out.slice(k + 1);
  }
  return null;
}

/** "nguơi", "ngưoi" → "ngươi": the horn goes on both letters of uo before a final. */
const hornBoth = (s: string): string => s.replace(/(ưo|uơ)(?=[a-zđ])/g, 'ươ');

function decodeTelex(t: string): Decoded | null {
  let out = '';
  let tone = '';
  let shape = false;
  let toneBeforeVowel = false;
  let i = 0;
  if (t.startsWith('dd')) {
    if (t[2] === 'd') return null;
    out = 'đ';
    shape = true;
    i = 2;
  }
  /** Whether only keys (tone letters and w), none twice in a row, come after position p. */
  const onlyKeysAfter = (p: number): boolean => /^[sfrxjw]*$/.test(t.slice(p + 1)) && !/([sfrxjw])\1/.test(t.slice(p));
  for (; i < t.length; i++) {
    const c = t[i]!;
    const last = out[out.length - 1];
    if (isVowel(c)) {
      // aa ee oo: the second letter is the circumflex key; a third undoes it.
      if (CIRCUMFLEX[c] && t[i - 1] === c && last === c) {
        if (t[i + 1] === c) return null;
        out = out.slice(0, -1) + CIRCUMFLEX[c];
        shape = true;
        continue;
      }
      out += c;
      continue;
    }
    if (c === 'w') {
      if (t[i - 1] === 'w') return null;
      if (!hasVowel(out)) {
        // A lone w after the first consonants is ư; a w that starts the token is teencode
        // for qu ("wa", "wen") or English.
        if (out === '' || out === 'đ') return null;
        out += 'ư';
        shape = true;
        continue;
      }
      if (last !== undefined && TELEX_W[last] && t[i - 1] === last) {
        out = out.slice(0, -1) + TELEX_W[last];
        shape = true;
        continue;
      }
      const late = onlyKeysAfter(i) ? shapeLate(out, TELEX_W) : null;
      if (!late) return null;
      out = late;
      shape = true;
      continue;
    }
    if (TELEX_TONES.has(c) && hasVowel(out)) {
      if (tone) return null;
      // Straight after a vowel (or after a shape key on it), or at the end of the syllable.
      if (!isVowel(last) && !onlyKeysAfter(i)) return null;
      tone = c;
      toneBeforeVowel = /[aeiouy]/.test(t.slice(i + 1));
      continue;
    }
    out += c;
  }
  // "more", "visa", "use": a tone letter with a vowel after it and no shape key is English.
  if (toneBeforeVowel && !shape) return null;
  const finalJOnly = tone === 'j' && !shape && t.endsWith('j');
  return { syllable: hornBoth(out), tone, shape, finalJOnly };
}

function decodeVni(t: string): Decoded | null {
  if (!/^[a-z]/.test(t) || /[0-9]{3}/.test(t)) return null;
  let out = '';
  let tone = '';
  let shape = false;
  const onlyKeysAfter = (p: number): boolean => /^[1-9]*$/.test(t.slice(p + 1));
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (!/[0-9]/.test(c)) {
      out += c;
      continue;
    }
    if (t[i - 1] === c) return null;
    const last = out[out.length - 1];
    const toneKey = VNI_TONES[c];
    if (toneKey) {
      if (tone || !hasVowel(out)) return null;
      if (!isVowel(last) && !onlyKeysAfter(i)) return null;
      tone = toneKey;
      continue;
    }
    const shapes = VNI_SHAPES[c];
    if (shapes) {
      const reshaped = last !== undefined && shapes[last] ? out.slice(0, -1) + shapes[last] : onlyKeysAfter(i) ? shapeLate(out, shapes) : null;
      if (!reshaped) return null;
      out = reshaped;
      shape = true;
      continue;
    }
    if (c === '9') {
      // đ: straight after the first d, or at the end of a syllable that starts with d.
      if (!(out === 'd' || (out.startsWith('d') && onlyKeysAfter(i)))) return null;
      out = `đ${out.slice(1)}`;
      shape = true;
      continue;
    }
    return null; // 0 is no VNI key
  }
  return { syllable: hornBoth(out), tone, shape, finalJOnly: false };
}

/**
 * The folded syllable a Telex- or VNI-typed token stands for, or null when the token is
 * not one: it is already a plausible syllable, a number or a number with a unit, a known
 * English or chat word, or no way of dropping keys leaves a Vietnamese syllable.
 *
 * @example foldTypedKeys('khuyeets') // 'khuyet'
 * @example foldTypedKeys('taajt') // 'tat'
 * @example foldTypedKeys('ddi') // 'di'
 * @example foldTypedKeys('tro75') // 'tro'
 * @example foldTypedKeys('ngu7o72i') // 'nguoi'
 * @example foldTypedKeys('nguoi') // null: already a syllable
 * @example foldTypedKeys('500k') // null
 */
export function foldTypedKeys(token: string): string | null {
  const t = token.toLowerCase();
  if (!/^[a-z][a-z0-9]*$/.test(t) || t.length > 12) return null;
  if (isPlausibleSyllable(t) || KEEP_AS_TYPED.has(t)) return null;
  const d = /[0-9]/.test(t) ? decodeVni(t) : decodeTelex(t);
  if (!d || !isSyllable(d.syllable, d.tone)) return null;
  const folded = foldShapes(d.syllable);
  if (folded === t) return null;
  // "as", "of", "ex", "a1": one vowel and one key is an English word or a code.
  if (folded.length === 1 && !(d.shape && d.tone)) return null;
  // "tuj", "laj", "vuj": teencode for tui, lại, vui as often as Telex for tụ, lạ, vụ.
  if (d.finalJOnly && isSyllable(`${d.syllable}i`, '')) return null;
  return folded;
}

/**
 * Whether a message shows Telex or VNI typing: two tokens that decode, or one in a
 * message of three tokens or fewer. For logs and metrics; retrieval decodes token by token.
 *
 * @example looksTyped('nguowif khuyeets taajt') // true
 * @example looksTyped('tro cap nguoi khuyet tat') // false
 */
export function looksTyped(text: string): boolean {
  const tokens = text
    .normalize('NFC')
    .toLowerCase()
    .split(/[^a-z0-9\u00c0-\u1ef9]+/)
    .filter(Boolean);
  const decoded = tokens.filter((tok) => foldTypedKeys(tok) !== null).length;
  return decoded >= 2 || (decoded === 1 && tokens.length <= 3);
}
