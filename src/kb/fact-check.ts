/**
 * Fact check for LLM-phrased answers: every amount, age, date, coefficient, percentage
 * and count of days, months or years in a reply must be a fact of the entries it was
 * given, said of a compatible group.
 *
 * A fact is a quantity with its attachment: the words of its own line, list item,
 * clause or table row that say who or what it is for ("khuyết tật đặc biệt nặng",
 * "trẻ em dưới 6 tuổi", "từ đủ 80 tuổi"), plus the lead-in line of its list, the
 * head of its clause ("Nếu người khuyết tật là trẻ em hoặc người cao tuổi: …") and the
 * other quantities beside it (the date a rate applies from, the coefficient it comes
 * from). Words next to another quantity of the same kind are that quantity's, not its.
 *
 * The reply is read the same way. A reply quantity passes when some entry fact has the
 * same value (after normalising "1.000.000 đồng", "1 triệu", "1tr", "1.000 nghìn") and
 * none of the reply's group words or qualifiers:
 *
 * 1. contradicts the fact's on the same scale ("nặng" against "đặc biệt nặng", "hộ
 *    cận nghèo" against "hộ nghèo", an age range outside the fact's, a date or
 *    coefficient the fact's line does not give, "có lương hưu" against "không có
 *    lương hưu", "hiện nay" against a rate that ended);
 * 2. is missing from the fact but belongs to another fact of a different value, while
 *    the reply names nothing that sets this fact apart from that one ("trẻ em" said of
 *    750.000 đồng when only the 1.000.000 đồng line names "trẻ em");
 * 3. states a special case's value without its condition while a plainer fact of
 *    another value fits the reply better ("khuyết tật nặng: 1.000.000 đồng" when
 *    1.000.000 đồng is for "trẻ em hoặc người cao tuổi" nặng and plain nặng is 750.000).
 *
 * Words are compared with diacritics folded ("khuyet tat nang" is "khuyết tật nặng"),
 * but a word written with diacritics must be that word ("nâng" is not "nặng"). A reply
 * that restates a fact with fewer words passes. Pure: no I/O, the clock comes in.
 *
 * The parts, each with one job (src/kb/fact-check/): `text.ts` prepares text and reads
 * numbers; `quantities.ts` finds amounts, ages, dates and counts; `terms.ts` the group and
 * condition words; `segments.ts` cuts a text into lines, list lead-ins, clauses and items;
 * `facts.ts` attaches each quantity to its words; `compare.ts` judges a reply's facts.
 *
 * @example checkFacts('Khuyết tật nặng: 1.000.000 đồng [1]', [entry]) // [{ quantity: '1.000.000 đồng', … }]
 */
export type { AgeRange, DateParts, DateRelation, Fact, FactCheckOptions, FactProblem, FactSource, FactTerm, Quantity, QuantityKind } from './fact-check/types.js';
export { parseNumber } from './fact-check/text.js';
export { quantitiesIn, textOutsideQuantities } from './fact-check/quantities.js';
export { entryFacts, factsIn } from './fact-check/facts.js';
export { checkFacts, describeFactProblem, sameQuantity } from './fact-check/compare.js';
