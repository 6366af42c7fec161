import { normalizeSyllables } from '../kb/normalize.js';

/**
 * The people a social work centre serves, named the way citizens name themselves or a
 * relative: a poor or near-poor household, someone on a monthly social allowance, a
 * disabled person, an orphan. Folded syllables, matched as whole words.
 *
 * Why: another office's business (a health insurance card, a wage claim) changes owner
 * when the person asking is one of ours: the card the State pays for someone on an
 * allowance, free legal aid for a near-poor family. Each referral entry says so itself
 * ("Nếu nhà bạn thuộc hộ nghèo… bạn hỏi mình"); a citizen who already said it should get
 * that answer, not be sent away first.
 */
const OUR_PEOPLE: readonly string[] = [
  'ho ngheo',
  'can ngheo',
  'bao tro xa hoi',
  'tro giup xa hoi',
  'tro cap xa hoi',
  'tro cap nguoi cao tuoi',
  'tro cap tuoi gia',
  'tro cap khuyet tat',
  'tro cap nguoi khuyet tat',
  'tro cap mo coi',
  'nguoi khuyet tat',
  'xac nhan khuyet tat',
  'khuyet tat nang',
  'mo coi',
];

/**
 * Someone who already receives an allowance ("người được trợ cấp", "chưa nhận được tiền trợ cấp"),
 * unless the allowance is social insurance's (unemployment, maternity, one-off, sickness,
 * survivors', or any named beside a pension or the insurance office): those are theirs.
 */
const ON_AN_ALLOWANCE: readonly string[] = ['(duoc|huong|lanh|nhan|an) tro cap'];
const INSURANCE_ALLOWANCES: readonly string[] = ['tro cap (that nghiep|thai san|mot lan|om dau|tuat)', 'luong huu', 'bao hiem xa hoi', 'bhxh'];

/** Each phrase as a regex over space-joined syllables, compiled once. */
const compile = (phrases: readonly string[]) => phrases.map((p) => new RegExp(`(^| )${p}( |$)`));
const PATTERNS = compile(OUR_PEOPLE);
const ALLOWANCE_PATTERNS = compile(ON_AN_ALLOWANCE);
const INSURANCE_PATTERNS = compile(INSURANCE_ALLOWANCES);

/**
 * Whether the question names someone the centre serves (see OUR_PEOPLE).
 *
 * @example namesOurPeople('nhà cận nghèo có ai giúp viết đơn kiện miễn phí không') // true
 * @example namesOurPeople('thẻ bảo hiểm y tế cấp cho người được trợ cấp khám tuyến trên được không') // true
 * @example namesOurPeople('lương hưu tháng này lãnh ở đâu') // false
 * @example namesOurPeople('đang hưởng trợ cấp thất nghiệp thì học nghề được không') // false
 */
export function namesOurPeople(question: string): boolean {
  const syllables = ` ${normalizeSyllables(question).join(' ')} `;
  if (PATTERNS.some((p) => p.test(syllables))) return true;
  return ALLOWANCE_PATTERNS.some((p) => p.test(syllables)) && !INSURANCE_PATTERNS.some((p) => p.test(syllables));
}
