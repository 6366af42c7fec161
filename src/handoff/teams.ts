/**
 * Counsellor teams from configuration (HANDOFF_TEAMS), and which team a ticket belongs to.
 *
 * A centre names its own teams; 'chung' (general) must always exist because it is where
 * everything without a better home goes, and the team routing falls back to.
 *
 * @example
 * const teams = parseTeams(config.HANDOFF_TEAMS ?? DEFAULT_TEAMS_SPEC);
 * const team = teamFor({ riskCategory: 'tu-hai', group: null }, teams); // 'tam-ly'
 */
import type { Group } from '../flows/intake/questions.js';
import type { RiskCategory } from '../store/types.js';

/** The general team: always configured, the fallback of every rule here and of routing. */
export const GENERAL_TEAM = 'chung';

/** Children, disability, psychology, legal, general. */
export const DEFAULT_TEAMS_SPEC = 'tre-em:Trẻ em,khuyet-tat:Người khuyết tật,tam-ly:Tâm lý,phap-ly:Pháp lý,chung:Chung';

export interface Team {
  /** Lowercase ASCII words joined by '-', stored on tickets and staff, e.g. 'tam-ly'. */
  id: string;
  /** What counsellors see, e.g. 'Tâm lý'. */
  label: string;
}

const TEAM_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Reads "id:label,id:label,…". Throws an Error naming the part at fault: an entry that is
 * not id:label, an id that is not lowercase ASCII words joined by '-' (ids are stored and
 * compared, so "pháp lý" must be written "phap-ly"), an empty label, a repeated id, or a
 * list without 'chung'.
 *
 * @example parseTeams('tam-ly:Tâm lý,chung:Chung') // [{ id: 'tam-ly', label: 'Tâm lý' }, { id: 'chung', label: 'Chung' }]
 */
export function parseTeams(spec: string): Team[] {
  const teams: Team[] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (!part) continue; // a trailing or doubled comma
    const colon = part.indexOf(':');
    if (colon < 0) throw new Error(`HANDOFF_TEAMS: "${part}" is not id:label (for example "phap-ly:Pháp lý")`);
    const id = part.slice(0, colon).trim();
    const label = part.slice(colon + 1).trim();
    if (!TEAM_ID.test(id)) throw new Error(`HANDOFF_TEAMS: team id "${id}" in "${part}" must be lowercase letters a-z, digits and '-' (for example "phap-ly")`);
    if (!label) throw new Error(`HANDOFF_TEAMS: team "${id}" has no label`);
    if (teams.some((t) => t.id === id)) throw new Error(`HANDOFF_TEAMS: team "${id}" is listed twice`);
    teams.push({ id, label });
  }
  if (!teams.some((t) => t.id === GENERAL_TEAM)) {
    throw new Error(`HANDOFF_TEAMS: the general team "${GENERAL_TEAM}" is missing (add "${GENERAL_TEAM}:Chung")`);
  }
  return teams;
}

/** A risk decides the team before anything the citizen filled in: the danger is the need. */
const TEAM_BY_RISK: Record<RiskCategory, string> = {
  'tu-hai': 'tam-ly',
  'xam-hai-tre-em': 'tre-em',
  'bao-luc': 'phap-ly',
  'mua-ban-nguoi': 'phap-ly',
  'cap-cuu': GENERAL_TEAM, // a medical emergency: whoever is there first
  'bo-roi': 'tre-em', // abandonment: mostly children left alone
};

/** The intake group (src/flows/intake/questions.ts GROUPS); every group must be listed. */
const TEAM_BY_GROUP: Record<Group, string> = {
  'tre-em': 'tre-em',
  'nguoi-khuyet-tat': 'khuyet-tat',
  'suc-khoe-tam-than': 'tam-ly',
  'nan-nhan': 'phap-ly',
  'nguoi-cao-tuoi': GENERAL_TEAM,
  'ho-ngheo': GENERAL_TEAM,
  khac: GENERAL_TEAM,
};

/**
 * The team a ticket goes to: by its risk category when there is one, else by the intake
 * group, else 'chung'. A team the centre has not configured becomes 'chung' (it is never
 * replaced by the group's team: a risk ticket should not land with, say, disability
 * because psychology is missing).
 *
 * @example teamFor({ riskCategory: null, group: 'nguoi-khuyet-tat' }, teams) // 'khuyet-tat'
 */
export function teamFor(ticket: { riskCategory: RiskCategory | null; group: string | null }, teams: readonly Pick<Team, 'id'>[]): string {
  const wanted =
    (ticket.riskCategory ? TEAM_BY_RISK[ticket.riskCategory] : undefined) ??
    (ticket.group && Object.hasOwn(TEAM_BY_GROUP, ticket.group) ? TEAM_BY_GROUP[ticket.group as Group] : undefined) ??
    GENERAL_TEAM;
  return teams.some((t) => t.id === wanted) ? wanted : GENERAL_TEAM;
}
