/**
 * The handoff rules around routing, as pure decisions: teams from configuration, idle
 * presence, the waiting citizen's place and estimate, office hours in Vietnam time, and
 * the supervisors' queue numbers.
 */
import { describe, expect, it } from 'vitest';
import { nearestRank, queueNumbers, vnDayStart } from '../src/handoff/metrics.js';
import { DEFAULT_OFFICE_HOURS, isOpen, nextOpening, parseOfficeHours, whenWeAnswer } from '../src/handoff/office-hours.js';
import { DEFAULT_IDLE_MINUTES, dueForAway, ticketsToReoffer } from '../src/handoff/presence.js';
import { DEFAULT_TEAMS_SPEC, parseTeams, teamFor } from '../src/handoff/teams.js';
import { estimateWait, queueMessage, queuePosition, roundUpMinutes, worthTelling } from '../src/handoff/wait-estimate.js';
import { GROUPS } from '../src/flows/intake/questions.js';
import { HANDOFF_PRIORITY, RISK_CATEGORIES } from '../src/store/types.js';
import { at, staff, T0, ticket } from './support/handoff-builders.js';

const MIN = 60_000;

describe('teams', () => {
  const teams = parseTeams(DEFAULT_TEAMS_SPEC);

  it('reads the default list', () => {
    expect(teams).toEqual([
      { id: 'tre-em', label: 'Trẻ em' },
      { id: 'khuyet-tat', label: 'Người khuyết tật' },
      { id: 'tam-ly', label: 'Tâm lý' },
      { id: 'phap-ly', label: 'Pháp lý' },
      { id: 'chung', label: 'Chung' },
    ]);
    expect(parseTeams(' tam-ly : Tâm lý , chung:Chung, ')).toEqual([
      { id: 'tam-ly', label: 'Tâm lý' },
      { id: 'chung', label: 'Chung' },
    ]);
  });

  it.each([
    ['tam-ly:Tâm lý,pháp lý,chung:Chung', /"pháp lý" is not id:label/],
    ['tam-ly:Tâm lý,pháp-lý:Pháp lý,chung:Chung', /team id "pháp-lý" in "pháp-lý:Pháp lý"/],
    ['Tam-Ly:Tâm lý,chung:Chung', /team id "Tam-Ly"/],
    ['tam-ly:,chung:Chung', /team "tam-ly" has no label/],
    ['chung:Chung,chung:Khác', /team "chung" is listed twice/],
    ['tam-ly:Tâm lý,tre-em:Trẻ em', /general team "chung" is missing/],
    ['', /"chung" is missing/],
  ])('refuses %j, naming the bad part', (spec, message) => {
    expect(() => parseTeams(spec)).toThrow(message);
  });

  it.each([
    ['tu-hai', 'tam-ly'],
    ['xam-hai-tre-em', 'tre-em'],
    ['bao-luc', 'phap-ly'],
    ['mua-ban-nguoi', 'phap-ly'],
    ['cap-cuu', 'chung'],
    ['bo-roi', 'tre-em'],
  ] as const)('sends risk %s to %s, before the intake group', (riskCategory, team) => {
    expect(teamFor({ riskCategory, group: 'nguoi-khuyet-tat' }, teams)).toBe(team);
  });

  it.each([
    ['tre-em', 'tre-em'],
    ['nguoi-khuyet-tat', 'khuyet-tat'],
    ['suc-khoe-tam-than', 'tam-ly'],
    ['nan-nhan', 'phap-ly'],
    ['nguoi-cao-tuoi', 'chung'],
    ['ho-ngheo', 'chung'],
    ['khac', 'chung'],
    ['not-a-group', 'chung'],
    [null, 'chung'],
  ])('without a risk, sends group %s to %s', (group, team) => {
    expect(teamFor({ riskCategory: null, group }, teams)).toBe(team);
  });

  it('has a team for every risk category and every intake group', () => {
    for (const riskCategory of RISK_CATEGORIES) expect(teams.map((t) => t.id)).toContain(teamFor({ riskCategory, group: null }, teams));
    for (const { id } of GROUPS) expect(teams.map((t) => t.id)).toContain(teamFor({ riskCategory: null, group: id }, teams));
  });

  it("sends a team the centre has not configured to 'chung', never to the group's team", () => {
    const small = parseTeams('khuyet-tat:Người khuyết tật,chung:Chung');
    expect(teamFor({ riskCategory: 'tu-hai', group: 'nguoi-khuyet-tat' }, small)).toBe('chung');
    expect(teamFor({ riskCategory: null, group: 'tre-em' }, small)).toBe('chung');
    expect(teamFor({ riskCategory: null, group: 'nguoi-khuyet-tat' }, small)).toBe('khuyet-tat');
  });
});

describe('presence', () => {
  const idleMs = DEFAULT_IDLE_MINUTES * MIN;
  const now = at(30);

  it('sets away available staff idle for longer than the limit, counting from their presence when never active', () => {
    const list = [
      staff('active', { lastActiveAt: at(25) }),
      staff('idle', { lastActiveAt: at(15) }),
      staff('exactly', { lastActiveAt: at(20) }),
      staff('never-active', { lastActiveAt: null, presenceAt: at(5) }),
      staff('just-back', { lastActiveAt: at(-600), presenceAt: at(29) }),
      staff('already-away', { presence: 'away', lastActiveAt: at(-600) }),
      staff('offline', { presence: 'offline', lastActiveAt: null }),
    ];
    expect(DEFAULT_IDLE_MINUTES).toBe(10);
    expect(dueForAway(list, now, idleMs)).toEqual(['idle', 'never-active']);
  });

  it('re-offers unanswered assigned tickets of away people, most urgent and oldest first', () => {
    const tickets = [
      ticket({ id: 'answered', status: 'assigned', assigneeId: 'gone', firstResponseAt: at(1) }),
      ticket({ id: 'normal', status: 'assigned', assigneeId: 'gone', createdAt: at(-20) }),
      ticket({ id: 'urgent', status: 'assigned', assigneeId: 'gone', createdAt: at(-1), priority: HANDOFF_PRIORITY.urgent }),
      ticket({ id: 'on-hold', status: 'on-hold', assigneeId: 'gone' }),
      ticket({ id: 'present', status: 'assigned', assigneeId: 'here' }),
      ticket({ id: 'waiting', status: 'waiting' }),
    ];
    expect(ticketsToReoffer(tickets, new Set(['gone'])).map((t) => t.id)).toEqual(['urgent', 'normal']);
    expect(ticketsToReoffer(tickets, new Set())).toEqual([]);
  });
});

describe('the waiting citizen', () => {
  it('is placed by urgency, then arrival; later urgent tickets go ahead', () => {
    const mine = ticket({ id: 'mine', createdAt: at(0) });
    const waiting = [
      ticket({ id: 'older', createdAt: at(-10) }),
      ticket({ id: 'newer', createdAt: at(5) }),
      ticket({ id: 'urgent-later', createdAt: at(9), priority: HANDOFF_PRIORITY.urgent }),
      ticket({ id: 'held', createdAt: at(-30), status: 'assigned' }),
      mine,
    ];
    expect(queuePosition(mine, waiting)).toBe(3);
    expect(queuePosition(mine, waiting.filter((t) => t !== mine))).toBe(3);
    expect(queuePosition(waiting[2]!, waiting)).toBe(1);
    expect(queuePosition(mine, [])).toBe(1);
  });

  it('rounds estimates up to sensible steps, then whole hours', () => {
    expect([0.2, 1, 1.1, 3, 7, 12, 16, 25, 31, 50, 60, 61, 121].map(roundUpMinutes)).toEqual([1, 1, 2, 5, 10, 15, 20, 30, 45, 60, 60, 120, 180]);
  });

  it('scales the median recent wait by rounds of available counsellors', () => {
    const recent = [4 * MIN, 5 * MIN, 6 * MIN, 300 * MIN]; // median 5.5 min: the overnight one does not count much
    expect(estimateWait({ position: 1, recentWaitsMs: recent, availableCounsellors: 2 })).toBe(10);
    expect(estimateWait({ position: 3, recentWaitsMs: [4 * MIN, 5 * MIN, 6 * MIN], availableCounsellors: 2 })).toBe(10);
    expect(estimateWait({ position: 3, recentWaitsMs: [5 * MIN], availableCounsellors: 3 })).toBe(5);
    expect(estimateWait({ position: 4, recentWaitsMs: [5 * MIN], availableCounsellors: 0 })).toBe(20);
    expect(estimateWait({ position: 20, recentWaitsMs: [10 * MIN], availableCounsellors: 1 })).toBe(240);
  });

  it('assumes five-minute rounds without recent data, and gives no number with nobody to go on', () => {
    expect(estimateWait({ position: 2, recentWaitsMs: [], availableCounsellors: 1 })).toBe(10);
    expect(estimateWait({ position: 2, recentWaitsMs: [], availableCounsellors: 0 })).toBeNull();
  });

  it('tells again only when it is news', () => {
    expect(worthTelling(null, { position: 9, minutes: 30 })).toBe(true);
    expect(worthTelling({ position: 5, minutes: 20 }, { position: 4, minutes: 20 })).toBe(false);
    expect(worthTelling({ position: 4, minutes: 20 }, { position: 3, minutes: 20 })).toBe(true);
    expect(worthTelling({ position: 2, minutes: 5 }, { position: 1, minutes: 5 })).toBe(true);
    expect(worthTelling({ position: 2, minutes: 5 }, { position: 2, minutes: 5 })).toBe(false);
    expect(worthTelling({ position: 8, minutes: 20 }, { position: 7, minutes: 30 })).toBe(true); // +10 min, +50 %
    expect(worthTelling({ position: 8, minutes: 2 }, { position: 8, minutes: 5 })).toBe(false); // +150 % but 3 min
    expect(worthTelling({ position: 8, minutes: 60 }, { position: 8, minutes: 45 })).toBe(false); // 15 min but 25 %
    expect(worthTelling({ position: 8, minutes: null }, { position: 8, minutes: 20 })).toBe(true);
    expect(worthTelling({ position: 8, minutes: 20 }, { position: 8, minutes: null })).toBe(false);
  });

  it('reads a short, kind sentence', () => {
    expect(queueMessage(3, 10)).toBe('Bạn đang ở vị trí 3 trong hàng chờ, khoảng 10 phút nữa sẽ có người trả lời.');
    expect(queueMessage(1, 2)).toBe('Bạn là người tiếp theo, khoảng 2 phút nữa sẽ có người trả lời.');
    expect(queueMessage(7, 120)).toBe('Bạn đang ở vị trí 7 trong hàng chờ, khoảng 2 giờ nữa sẽ có người trả lời.');
    expect(queueMessage(4, null)).toBe('Bạn đang ở vị trí 4 trong hàng chờ, tư vấn viên sẽ trả lời bạn sớm nhất có thể.');
    expect(queueMessage(1, null)).toBe('Bạn là người tiếp theo, tư vấn viên sẽ trả lời bạn sớm nhất có thể.');
  });
});

describe('office hours (Vietnam time, UTC+7)', () => {
  const hours = parseOfficeHours('T2-T6 07:30-11:30,13:30-17:00; T7 07:30-11:30');
  /** A Vietnam wall-clock time as an instant. */
  const vn = (local: string) => new Date(`${local}+07:00`);

  it('reads day ranges, single days, lists and both time styles', () => {
    expect(hours.alwaysOpen).toBe(false);
    expect(hours.week[1]).toEqual([
      { start: 450, end: 690 },
      { start: 810, end: 1020 },
    ]);
    expect(hours.week[6]).toEqual([{ start: 450, end: 690 }]);
    expect(hours.week[0]).toEqual([]);
    expect(parseOfficeHours('t2,t4 7h30-11h30, 13h-17h; cn 8:00-9:00').week).toEqual([
      [{ start: 480, end: 540 }],
      [{ start: 450, end: 690 }, { start: 780, end: 1020 }],
      [],
      [{ start: 450, end: 690 }, { start: 780, end: 1020 }],
      [],
      [],
      [],
    ]);
    expect(parseOfficeHours('T7-CN 08:00-24:00').week[0]).toEqual([{ start: 480, end: 1440 }]);
  });

  it('merges overlapping spans of a day named twice', () => {
    expect(parseOfficeHours('T2 07:00-09:00,08:00-10:00; T2-T3 10:00-11:00').week[1]).toEqual([{ start: 420, end: 660 }]);
  });

  it.each([
    ['T2-T6', /"T2-T6" needs days then hours/],
    ['T8 07:00-11:00', /"T8" in "T8 07:00-11:00" is not a day/],
    ['CN-T2 07:00-08:00', /"CN-T2" .* runs backwards/],
    ['T2 17:00-07:00', /"17:00-07:00" .* ends before it starts/],
    ['T2 07:65-08:00', /"07:65-08:00" .* is not a time span/],
    ['T2 25:00-26:00', /"25:00-26:00" .* is not a time span/],
    ['T2 sáng', /"sáng" .* is not a time span/],
  ])('refuses %j, naming the bad part', (spec, message) => {
    expect(() => parseOfficeHours(spec)).toThrow(message);
  });

  it('is always open with an empty spec (the default)', () => {
    const always = parseOfficeHours(DEFAULT_OFFICE_HOURS);
    expect(DEFAULT_OFFICE_HOURS).toBe('');
    expect(isOpen(always, vn('2026-12-06T03:00:00'))).toBe(true);
    expect(nextOpening(always, T0)).toEqual(T0);
    expect(parseOfficeHours('  ').alwaysOpen).toBe(true);
  });

  it('opens at the start and closes at the end of a span', () => {
    expect(isOpen(hours, vn('2026-11-30T07:29:59'))).toBe(false);
    expect(isOpen(hours, vn('2026-11-30T07:30:00'))).toBe(true);
    expect(isOpen(hours, vn('2026-11-30T11:29:59'))).toBe(true);
    expect(isOpen(hours, vn('2026-11-30T11:30:00'))).toBe(false);
    expect(isOpen(hours, vn('2026-12-05T09:00:00'))).toBe(true); // Saturday morning
    expect(isOpen(hours, vn('2026-12-05T14:00:00'))).toBe(false); // Saturday afternoon
    expect(isOpen(hours, vn('2026-12-06T09:00:00'))).toBe(false); // Sunday
  });

  it("uses Vietnam's day, not UTC's, near midnight", () => {
    const early = parseOfficeHours('T2 05:00-06:30');
    expect(isOpen(early, new Date('2026-11-29T22:30:00Z'))).toBe(true); // Sunday in UTC, Monday 05:30 in Vietnam
    expect(isOpen(early, new Date('2026-11-30T22:30:00Z'))).toBe(false); // Monday in UTC, Tuesday 05:30 in Vietnam
  });

  it('finds the next opening', () => {
    expect(nextOpening(hours, vn('2026-11-30T09:00:00'))).toEqual(vn('2026-11-30T09:00:00'));
    expect(nextOpening(hours, vn('2026-11-30T12:00:00'))).toEqual(vn('2026-11-30T13:30:00'));
    expect(nextOpening(hours, vn('2026-11-30T17:00:00'))).toEqual(vn('2026-12-01T07:30:00'));
    expect(nextOpening(hours, vn('2026-12-05T11:30:00'))).toEqual(vn('2026-12-07T07:30:00'));
    expect(nextOpening(hours, vn('2026-12-05T23:59:00'))).toEqual(new Date('2026-12-07T00:30:00Z'));
  });

  it('tells the citizen when the centre will answer, in Vietnamese', () => {
    expect(whenWeAnswer(hours, vn('2026-11-30T06:00:00'))).toBe('Trung tâm sẽ trả lời bạn từ 7 giờ 30 sáng nay.');
    expect(whenWeAnswer(hours, vn('2026-11-30T12:00:00'))).toBe('Trung tâm sẽ trả lời bạn từ 13 giờ 30 chiều nay.');
    expect(whenWeAnswer(hours, vn('2026-11-30T20:00:00'))).toBe('Trung tâm sẽ trả lời bạn từ 7 giờ 30 sáng mai.');
    expect(whenWeAnswer(hours, vn('2026-12-05T19:00:00'))).toBe('Trung tâm sẽ trả lời bạn từ 7 giờ 30 sáng thứ Hai.');
    expect(whenWeAnswer(hours, vn('2026-12-06T10:00:00'))).toBe('Trung tâm sẽ trả lời bạn từ 7 giờ 30 sáng mai.');
    expect(whenWeAnswer(hours, vn('2026-11-30T09:00:00'))).toBe('Tư vấn viên sẽ trả lời bạn sớm nhất có thể.');
  });

  it('names every weekday and part of the day', () => {
    const week = parseOfficeHours('CN 08:00-09:00');
    expect(whenWeAnswer(week, vn('2026-12-03T10:00:00'))).toBe('Trung tâm sẽ trả lời bạn từ 8 giờ sáng Chủ nhật.');
    expect(whenWeAnswer(week, vn('2026-12-06T10:00:00'))).toBe('Trung tâm sẽ trả lời bạn từ 8 giờ sáng Chủ nhật tuần sau.');
    const names = ['thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy', 'Chủ nhật'];
    ['T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'CN'].forEach((code, i) => {
      // From the Wednesday before 2026-11-30, the day two or more ahead is named.
      const from = vn('2026-11-25T10:00:00');
      const text = whenWeAnswer(parseOfficeHours(`${code} 12:00-13:00`), from);
      if (code === 'T4') expect(text).toBe('Trung tâm sẽ trả lời bạn từ 12 giờ trưa nay.');
      else if (code === 'T5') expect(text).toBe('Trung tâm sẽ trả lời bạn từ 12 giờ trưa mai.');
      else expect(text).toBe(`Trung tâm sẽ trả lời bạn từ 12 giờ trưa ${names[i]}.`);
    });
    expect(whenWeAnswer(parseOfficeHours('T2-CN 19:05-21:00'), vn('2026-11-30T10:00:00'))).toBe('Trung tâm sẽ trả lời bạn từ 19 giờ 05 tối nay.');
  });
});

describe('queue numbers', () => {
  const now = new Date('2026-12-01T05:00:00Z'); // 12:00 in Vietnam
  const dayStart = vnDayStart(now);

  it("starts the day at Vietnam's midnight", () => {
    expect(dayStart).toEqual(new Date('2026-11-30T17:00:00Z'));
    expect(vnDayStart(new Date('2026-12-01T16:59:59Z'))).toEqual(new Date('2026-11-30T17:00:00Z'));
    expect(vnDayStart(new Date('2026-12-01T17:00:00Z'))).toEqual(new Date('2026-12-01T17:00:00Z'));
    expect(vnDayStart(new Date('2026-12-01T18:30:00Z'))).toEqual(new Date('2026-12-01T17:00:00Z'));
  });

  it('takes percentiles by nearest rank', () => {
    expect(nearestRank([], 50)).toBeNull();
    expect(nearestRank([7], 90)).toBe(7);
    expect(nearestRank([4, 1, 3, 2], 50)).toBe(2);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90)).toBe(10);
  });

  it('counts waits (still-waiting ones until now), first responses and breakdowns', () => {
    const tickets = [
      // served: waited 2 min, answered at 3 min
      ticket({ id: 'a', createdAt: at(-60, now), status: 'closed', assignedAt: at(-58, now), firstResponseAt: at(-57, now), closedAt: at(-30, now), channel: 'telegram', team: 'tam-ly' }),
      // served: waited 10 min, answered at 12 min
      ticket({ id: 'b', createdAt: at(-40, now), status: 'assigned', assignedAt: at(-30, now), firstResponseAt: at(-28, now), channel: 'zalo' }),
      // still waiting for 20 min
      ticket({ id: 'c', createdAt: at(-20, now), riskCategory: 'bao-luc', team: 'phap-ly' }),
      // left after 6 min without anyone taking it
      ticket({ id: 'd', createdAt: at(-50, now), status: 'abandoned', closedAt: at(-44, now) }),
      // waiting since yesterday: in the numbers, not in today's count
      ticket({ id: 'e', createdAt: new Date('2026-11-30T10:00:00Z'), team: 'phap-ly' }),
    ];
    const yesterdayClosed = ticket({ createdAt: new Date('2026-11-30T09:00:00Z'), status: 'closed', assignedAt: new Date('2026-11-30T15:00:00Z') });
    const n = queueNumbers([...tickets, tickets[2]!, yesterdayClosed], now, dayStart); // 'c' passed twice counts once; yesterday's closed one not at all
    expect(n.waitingNow).toBe(2);
    expect(n.createdToday).toBe(4);
    expect(n.byChannel).toEqual({ webchat: { today: 2, waitingNow: 2 }, telegram: { today: 1, waitingNow: 0 }, messenger: { today: 0, waitingNow: 0 }, zalo: { today: 1, waitingNow: 0 } });
    expect(n.byTeam).toEqual({ 'tam-ly': { today: 1, waitingNow: 0 }, chung: { today: 2, waitingNow: 0 }, 'phap-ly': { today: 1, waitingNow: 2 } });
    expect(n.byRisk['bao-luc']).toEqual({ today: 1, waitingNow: 1 });
    expect(n.byRisk.none).toEqual({ today: 3, waitingNow: 1 });
    expect(n.byRisk['tu-hai']).toEqual({ today: 0, waitingNow: 0 });
    // waits: 2, 10, 20, 6 min and e's 19 h → sorted 2, 6, 10, 20, 1140
    expect(n.waitMedianMs).toBe(10 * MIN);
    expect(n.waitP90Ms).toBe(19 * 60 * MIN);
    expect(n.firstResponseMedianMs).toBe(3 * MIN);
    expect(n.firstResponseP90Ms).toBe(12 * MIN);
    expect(n.urgentTotal).toBe(0);
    expect(n.urgentShareWithin5Min).toBeNull();
  });

  it('measures a reopened ticket from its reopening', () => {
    const reopened = ticket({ createdAt: at(-300, now), reopenedAt: at(-10, now), status: 'assigned', assignedAt: at(-8, now), firstResponseAt: at(-7, now) });
    const n = queueNumbers([reopened], now, dayStart);
    expect(n.waitMedianMs).toBe(2 * MIN);
    expect(n.firstResponseMedianMs).toBe(3 * MIN);
  });

  it('shares urgent tickets answered within 5 minutes, not counting those still inside their 5 minutes', () => {
    const urgent = (minutesAgo: number, answeredAfter: number | null, over = {}) =>
      ticket({ createdAt: at(-minutesAgo, now), priority: HANDOFF_PRIORITY.urgent, riskCategory: 'tu-hai', status: answeredAfter === null ? 'waiting' : 'assigned', firstResponseAt: answeredAfter === null ? null : at(-minutesAgo + answeredAfter, now), ...over });
    const n = queueNumbers(
      [
        urgent(60, 5), // exactly 5 min: within
        urgent(50, 1),
        urgent(40, 5.01), // late
        urgent(30, null), // never answered: late
        urgent(2, null), // still inside its 5 minutes: pending
        ticket({ createdAt: at(-10, now), priority: HANDOFF_PRIORITY.checkIn, firstResponseAt: at(-9, now), status: 'assigned' }),
      ],
      now,
      dayStart,
    );
    expect(n.urgentTotal).toBe(5);
    expect(n.urgentAnsweredWithin5Min).toBe(2);
    expect(n.urgentPending).toBe(1);
    expect(n.urgentShareWithin5Min).toBe(0.5);
    expect(n.byRisk['tu-hai']).toEqual({ today: 5, waitingNow: 2 });
    expect(queueNumbers([urgent(2, null)], now, dayStart).urgentShareWithin5Min).toBeNull();
  });
});
