import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { Channel, ConsentPurpose, ConsentRecord, ConsentRepository } from '../types.js';

type Row = Record<string, unknown>;

function rowToConsent(r: Row): ConsentRecord {
  return {
    id: String(r.id),
    citizenKey: String(r.citizen_key),
    conversationId: String(r.conversation_id),
    channel: r.channel as Channel,
    purpose: r.purpose as ConsentPurpose,
    decision: r.decision as ConsentRecord['decision'],
    textVersion: String(r.text_version),
    at: new Date(Number(r.at)),
    withdrawnAt: r.withdrawn_at === null || r.withdrawn_at === undefined ? null : new Date(Number(r.withdrawn_at)),
  };
}

/**
 * Consent records in the embedded store (table consents, see schema.ts). Records are never
 * deleted: withdrawal stamps them, erasure and retention empty who they belong to ('').
 */
export function sqliteConsents(db: Database.Database): ConsentRepository {
  const insert = db.prepare(
    `INSERT INTO consents (id, citizen_key, conversation_id, channel, purpose, decision, text_version, at)
     VALUES (@id, @citizenKey, @conversationId, @channel, @purpose, @decision, @textVersion, @at)
     RETURNING *`,
  );
  const byCitizen = db.prepare('SELECT * FROM consents WHERE citizen_key = ? ORDER BY at DESC, seq DESC');
  const withdrawAll = db.prepare(
    `UPDATE consents SET withdrawn_at = ?
      WHERE citizen_key = ? AND decision = 'granted' AND withdrawn_at IS NULL`,
  );
  const withdrawOne = db.prepare(
    `UPDATE consents SET withdrawn_at = ?
      WHERE citizen_key = ? AND purpose = ? AND decision = 'granted' AND withdrawn_at IS NULL`,
  );
  const anonymiseCitizen = db.prepare("UPDATE consents SET citizen_key = '', conversation_id = '' WHERE citizen_key = ?");
  const anonymiseBefore = db.prepare(
    "UPDATE consents SET citizen_key = '', conversation_id = '' WHERE at < ? AND (citizen_key <> '' OR conversation_id <> '')",
  );
  return {
    async record(c) {
      return rowToConsent(insert.get({ ...c, id: randomUUID(), at: +c.at }) as Row);
    },
    async listByCitizen(citizenKey) {
      // '' is every anonymised record, nobody's.
      if (citizenKey === '') return [];
      return (byCitizen.all(citizenKey) as Row[]).map(rowToConsent);
    },
    async withdraw(citizenKey, now, purpose) {
      if (citizenKey === '') return 0;
      const info = purpose === undefined ? withdrawAll.run(+now, citizenKey) : withdrawOne.run(+now, citizenKey, purpose);
      return info.changes;
    },
    async anonymiseCitizen(citizenKey) {
      if (citizenKey === '') return 0;
      return anonymiseCitizen.run(citizenKey).changes;
    },
    async anonymiseBefore(cutoff) {
      return anonymiseBefore.run(+cutoff).changes;
    },
  };
}
