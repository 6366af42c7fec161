/**
 * The centre's office hours (a setting like "T2-T6 07:30-11:30,13:30-17:00; T7 07:30-11:30")
 * and what to tell a citizen who writes outside them.
 *
 * Always Vietnam time (Asia/Ho_Chi_Minh, UTC+7, no daylight saving), computed with a fixed
 * offset so the machine's own time zone never matters. Public holidays (Tết, 30/4, 2/9…)
 * are out of scope: on a holiday the hours say "open"; a centre that closes should say so
 * another way (e.g. an on-call note).
 *
 * @example
 * const hours = parseOfficeHours(config.OFFICE_HOURS ?? DEFAULT_OFFICE_HOURS);
 * if (!isOpen(hours, now)) reply(whenWeAnswer(hours, now)); // 'Trung tâm sẽ trả lời bạn từ 7 giờ 30 sáng thứ Hai.'
 */

/** Vietnam is UTC+7 all year. */
export const VN_UTC_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** Empty: always open (a centre that has not set its hours is never "closed"). */
export const DEFAULT_OFFICE_HOURS = '';

/** Minutes from local midnight: [start, end). */
export interface OpenSpan {
  start: number;
  end: number;
}

export interface OfficeHours {
  alwaysOpen: boolean;
  /** Index = day of week as Date.getUTCDay() counts it: 0 = Chủ nhật (CN), 1 = thứ Hai (T2) … 6 = thứ Bảy (T7). Sorted, not overlapping. */
  week: OpenSpan[][];
}

/** The week as Vietnamese calendars write it, Monday first: T2…T7, then CN. */
const DAY_CODES = ['T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'CN'] as const;
/** Position in DAY_CODES → getUTCDay() index. */
const dayIndexOf = (position: number): number => (position + 1) % 7;
const DAY_NAMES = ['Chủ nhật', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy'];

/**
 * Reads the setting: day groups separated by ';', each "<days> <spans>". Days: T2…T7 and
 * CN (case-insensitive), a range "T2-T6" (Monday first, so "T7-CN" is the weekend and
 * "CN-T2" is an error), or a list "T2,T4". Spans: comma-separated "HH:MM-HH:MM" (also
 * "7h30", "17h"), each ending after it starts on the same day (24:00 allowed; no spans
 * across midnight). A day named in several groups gets all their spans; overlapping spans
 * merge. An empty or blank spec means always open. Throws an Error naming the bad part.
 *
 * @example parseOfficeHours('T2-T6 07:30-11:30,13:30-17:00; T7 07:30-11:30')
 */
export function parseOfficeHours(spec: string): OfficeHours {
  const week: OpenSpan[][] = [[], [], [], [], [], [], []];
  if (!spec.trim()) return { alwaysOpen: true, week };
  for (const raw of spec.split(';')) {
    const group = raw.trim();
    if (!group) continue;
    const match = /^(\S+)\s+(.+)$/.exec(group);
    if (!match) throw new Error(`OFFICE_HOURS: "${group}" needs days then hours, for example "T2-T6 07:30-17:00"`);
    const days = parseDays(match[1]!, group);
    const spans = match[2]!.split(',').map((s) => parseSpan(s.trim(), group));
    for (const day of days) week[day]!.push(...spans);
  }
  return { alwaysOpen: false, week: week.map(mergeSpans) };
}

function parseDays(text: string, group: string): number[] {
  const days: number[] = [];
  for (const item of text.split(',')) {
    const [from, to, extra] = item.split('-').map((d) => d.trim().toUpperCase());
    const a = DAY_CODES.indexOf(from as (typeof DAY_CODES)[number]);
    const b = to === undefined ? a : DAY_CODES.indexOf(to as (typeof DAY_CODES)[number]);
    if (a < 0 || b < 0 || extra !== undefined) {
      throw new Error(`OFFICE_HOURS: "${item}" in "${group}" is not a day (T2, T3, T4, T5, T6, T7, CN) or a range like T2-T6`);
    }
    if (b < a) throw new Error(`OFFICE_HOURS: "${item}" in "${group}" runs backwards; the week goes T2 … T7, CN`);
    for (let p = a; p <= b; p++) days.push(dayIndexOf(p));
  }
  return days;
}

function parseSpan(text: string, group: string): OpenSpan {
  const m = /^(\d{1,2}(?:[:h]\d{2}|h)?)\s*-\s*(\d{1,2}(?:[:h]\d{2}|h)?)$/i.exec(text);
  const start = m ? parseTime(m[1]!) : null;
  const end = m ? parseTime(m[2]!) : null;
  if (start === null || end === null) throw new Error(`OFFICE_HOURS: "${text}" in "${group}" is not a time span like 07:30-11:30`);
  if (end <= start) throw new Error(`OFFICE_HOURS: "${text}" in "${group}" ends before it starts (spans cannot cross midnight)`);
  return { start, end };
}

/** "07:30", "7h30", "17h", "7" → minutes from midnight; null when out of range. */
function parseTime(text: string): number | null {
  const [h, m = '0'] = text.toLowerCase().replace(/h$/, '').split(/[:h]/);
  const hours = Number(h);
  const minutes = Number(m);
  if (!Number.isInteger(hours) || !Number.isInteger(minutes) || minutes > 59) return null;
  const total = hours * 60 + minutes;
  return total <= 24 * 60 ? total : null;
}

function mergeSpans(spans: OpenSpan[]): OpenSpan[] {
  const merged: OpenSpan[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return merged;
}

/**
 * Vietnam's calendar at `now`: day of week (0 = CN), local midnight as a Date, and ms
 * since it, from the fixed UTC+7 offset (never the machine's zone).
 *
 * @example vnClock(new Date('2026-11-29T22:30:00Z')) // { weekday: 1, dayStart: 2026-11-29T17:00Z, msOfDay: 19_800_000 } (Monday 05:30)
 */
export function vnClock(now: Date): { weekday: number; dayStart: Date; msOfDay: number } {
  const local = now.getTime() + VN_UTC_OFFSET_MS;
  const localMidnight = Math.floor(local / DAY_MS) * DAY_MS;
  return {
    weekday: new Date(localMidnight).getUTCDay(),
    dayStart: new Date(localMidnight - VN_UTC_OFFSET_MS),
    msOfDay: local - localMidnight,
  };
}

/**
 * Is the centre open at `now` (start inclusive, end exclusive)?
 *
 * @example isOpen(parseOfficeHours('T2-T6 07:30-17:00'), new Date('2026-12-07T01:00:00Z')) // true: Monday 08:00 in Vietnam
 */
export function isOpen(hours: OfficeHours, now: Date): boolean {
  if (hours.alwaysOpen) return true;
  const { weekday, msOfDay } = vnClock(now);
  return hours.week[weekday]!.some((s) => s.start * MINUTE_MS <= msOfDay && msOfDay < s.end * MINUTE_MS);
}

/**
 * When the centre next opens: `now` itself when it is open now, else the start of the
 * next span (up to a week ahead). Throws if the hours have no span at all (parseOfficeHours
 * never returns that).
 *
 * @example nextOpening(hours, fridayEvening) // Monday 07:30 in Vietnam (00:30Z)
 */
export function nextOpening(hours: OfficeHours, now: Date): Date {
  if (isOpen(hours, now)) return now;
  const { weekday, dayStart, msOfDay } = vnClock(now);
  for (let ahead = 0; ahead <= 7; ahead++) {
    const spans = hours.week[(weekday + ahead) % 7]!;
    const span = spans.find((s) => ahead > 0 || s.start * MINUTE_MS > msOfDay);
    if (span) return new Date(dayStart.getTime() + ahead * DAY_MS + span.start * MINUTE_MS);
  }
  throw new Error('Office hours have no open time');
}

/**
 * Tells a citizen writing outside office hours when they will be answered, in Vietnam
 * time: "Trung tâm sẽ trả lời bạn từ 7 giờ 30 sáng thứ Hai." / "… từ 13 giờ 30 chiều nay."
 * / "… từ 7 giờ 30 sáng mai." (a week away: "… thứ Hai tuần sau."). Inside office hours
 * it says a counsellor will answer as soon as possible.
 *
 * @example whenWeAnswer(hours, new Date('2026-12-04T12:00:00Z')) // Friday 19:00 → 'Trung tâm sẽ trả lời bạn từ 7 giờ 30 sáng thứ Hai.'
 */
export function whenWeAnswer(hours: OfficeHours, now: Date): string {
  if (isOpen(hours, now)) return 'Tư vấn viên sẽ trả lời bạn sớm nhất có thể.';
  const opening = nextOpening(hours, now);
  const today = vnClock(now);
  const then = vnClock(opening);
  const ahead = Math.round((then.dayStart.getTime() - today.dayStart.getTime()) / DAY_MS);
  const minutes = Math.round(then.msOfDay / MINUTE_MS);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const clock = m === 0 ? `${h} giờ` : `${h} giờ ${String(m).padStart(2, '0')}`;
  const part = partOfDay(h);
  const day = ahead === 0 ? 'nay' : ahead === 1 ? 'mai' : `${DAY_NAMES[then.weekday]}${ahead >= 7 ? ' tuần sau' : ''}`;
  return `Trung tâm sẽ trả lời bạn từ ${clock} ${part} ${day}.`;
}

/** sáng before 11, trưa 11–12, chiều 13–17, tối 18–21, đêm 22 and after (and before 4). */
function partOfDay(hour: number): string {
  if (hour < 4 || hour >= 22) return 'đêm';
  if (hour < 11) return 'sáng';
  if (hour < 13) return 'trưa';
  if (hour < 18) return 'chiều';
  return 'tối';
}
