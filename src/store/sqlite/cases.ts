import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { caseYear, formatCaseCode, normaliseCaseCode } from '../shared.js';
import type { CaseRecord, CaseRepository, CaseStatus, Channel, NewCase, RiskCategory, RiskLevel } from '../types.js';

type Row = Record<string, unknown>;

const toDate = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));
const toText = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function rowToCase(r: Row): CaseRecord {
  return {
    id: String(r.id),
    code: String(r.code),
    status: r.status as CaseStatus,
    citizenKey: toText(r.citizen_key),
    conversationId: toText(r.conversation_id),
    channel: r.channel as Channel,
    who: r.who as CaseRecord['who'],
    group: String(r.group_name),
    need: String(r.need),
    provinceCode: toText(r.province_code),
    communeCode: toText(r.commune_code),
    age: r.age === null || r.age === undefined ? null : Number(r.age),
    phone: toText(r.phone),
    description: toText(r.description),
    riskLevel: (r.risk_level as RiskLevel | null) ?? null,
    riskCategory: (r.risk_category as RiskCategory | null) ?? null,
    consentIds: JSON.parse(String(r.consent_ids)) as string[],
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
    erasedAt: toDate(r.erased_at),
  };
}

/** What erasure empties; code, group, need, province, status, risk and dates stay (counts). */
const ERASE = `citizen_key = NULL, conversation_id = NULL, commune_code = NULL, age = NULL, phone = NULL,
  description = NULL, consent_ids = '[]', erased_at = @now`;

/**
 * Cases (phiếu tiếp nhận) in the embedded store (tables cases and case_counters, see
 * schema.ts). create() takes the next number of the case's year (its createdAt in Vietnam
 * time) from the counter row and inserts the case in one IMMEDIATE transaction, so two
 * processes on one file never get the same code and a number is never reused.
 */
export function sqliteCases(db: Database.Database): CaseRepository {
  const nextNumber = db.prepare(
    `INSERT INTO case_counters (year, seq) VALUES (?, 1)
     ON CONFLICT (year) DO UPDATE SET seq = seq + 1
     RETURNING seq`,
  );
  const insert = db.prepare(
    `INSERT INTO cases (id, code, status, channel, who, group_name, need, province_code, risk_level, risk_category,
                        created_at, updated_at, citizen_key, conversation_id, commune_code, age, phone, description, consent_ids)
     VALUES (@id, @code, 'received', @channel, @who, @group, @need, @provinceCode, @riskLevel, @riskCategory,
             @createdAt, @createdAt, @citizenKey, @conversationId, @communeCode, @age, @phone, @description, @consentIds)
     RETURNING *`,
  );
  const create = db.transaction((c: NewCase): Row => {
    const year = caseYear(c.createdAt);
    const { seq } = nextNumber.get(year) as { seq: number };
    // The named parameters are the NewCase fields, plus what the store adds.
    return insert.get({ ...c, id: randomUUID(), code: formatCaseCode(year, seq), createdAt: +c.createdAt, consentIds: JSON.stringify(c.consentIds) }) as Row;
  });
  const byId = db.prepare('SELECT * FROM cases WHERE id = ?');
  const byCode = db.prepare('SELECT * FROM cases WHERE code = ?');
  const byCitizen = db.prepare('SELECT * FROM cases WHERE citizen_key = ? ORDER BY created_at, seq');
  const setStatus = db.prepare('UPDATE cases SET status = ?, updated_at = ? WHERE id = ?');
  const eraseCitizen = db.prepare(`UPDATE cases SET ${ERASE} WHERE citizen_key = @citizenKey`);
  const eraseBefore = db.prepare(`UPDATE cases SET ${ERASE} WHERE created_at < @cutoff AND erased_at IS NULL`);
  return {
    async create(c) {
      return rowToCase(create.immediate(c));
    },
    async get(id) {
      const r = byId.get(id) as Row | undefined;
      return r ? rowToCase(r) : null;
    },
    async getByCode(code) {
      const r = byCode.get(normaliseCaseCode(code)) as Row | undefined;
      return r ? rowToCase(r) : null;
    },
    async listByCitizen(citizenKey) {
      return (byCitizen.all(citizenKey) as Row[]).map(rowToCase);
    },
    async setStatus(id, status, now) {
      return setStatus.run(status, +now, id).changes === 1;
    },
    async eraseCitizen(citizenKey, now) {
      return eraseCitizen.run({ citizenKey, now: +now }).changes;
    },
    async eraseBefore(cutoff, now) {
      return eraseBefore.run({ cutoff: +cutoff, now: +now }).changes;
    },
  };
}
