/**
 * The question a citizen asked, without the phone or ID number they added to it.
 *
 * Why: many citizens end a question with how to reach them ("hỏi trợ cấp người già, sdt
 * 0987 654 321"), the way they would on a paper form. The number and its label are not
 * part of the question, yet to the retriever they are words and digits no entry holds,
 * and they pulled a question it answers at 0.98 down to a decline. They also have no
 * business in an LLM prompt. So the FAQ reads the question without them; the turn still
 * keeps what was sent, and the unanswered inbox masks it on its own (src/kb/unanswered.ts).
 *
 * Only numbers that `maskPersonalNumbers` treats as personal (nine digits or more, not
 * money) go, with a contact label right before them ("sdt", "số điện thoại của em là",
 * "zalo"…). "số điện thoại của trung tâm" has no number after it and stays.
 *
 * @example questionWithoutContactDetails('hỏi trợ cấp người già, sdt 0987 654 321') // 'hỏi trợ cấp người già'
 * @example questionWithoutContactDetails('số điện thoại của trung tâm là gì')        // unchanged
 */
import { foldDiacritics } from '../kb/normalize.js';
import { MASKED_NUMBER, maskPersonalNumbers, withoutPersonalNumbers } from './intake/phone.js';

/**
 * A contact label, folded: "sdt", "sđt", "số đt", "số điện thoại (của tôi) (là)", "đt",
 * "zalo", "lh", "liên hệ", "gọi", "số", with what joins it to the number. An ID card's
 * label stays ("cccd *** mất thì làm lại ở đâu" is a question about the card).
 */
const LABEL = String.raw`(?:(?:so\s*)?(?:sdt|dt|dien\s*thoai|dthoai|phone)|zalo|lh|lien\s*he|goi|so)`;
const OWNER = String.raw`(?:\s*(?:cua\s*)?(?:toi|tui|em|minh|con|chau|me|ba|bo|ong)\b)?`;
const JOIN = String.raw`\s*(?:la\b)?\s*[:.\-]?\s*`;

const LABELLED_NUMBER = new RegExp(String.raw`(?:\b${LABEL}${OWNER}${JOIN})?${MASKED_NUMBER}`, 'g');

/** The question with personal numbers, and the labels that announce them, taken out. */
export function questionWithoutContactDetails(text: string): string {
  const masked = maskPersonalNumbers(text).normalize('NFC');
  if (masked === text.normalize('NFC')) return text;
  // Labels are matched on the folded text; folding keeps every character's place, so the
  // same spans are cut from the text the citizen typed (with its diacritics).
  const folded = foldDiacritics(masked);
  if (folded.length !== masked.length) return withoutPersonalNumbers(text).replace(/\s+/g, ' ').trim();
  let out = '';
  let at = 0;
  for (const m of folded.matchAll(LABELLED_NUMBER)) {
    out += `${masked.slice(at, m.index)} `;
    at = m.index + m[0].length;
  }
  out += masked.slice(at);
  return out
    .replace(/\s+([,.;!?])/g, '$1')
    .replace(/([,;])(?:\s*[,;])+/g, '$1')
    .replace(/[\s,;:.\-]+$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}
