import type Database from 'better-sqlite3';
import type { ChannelTokenRepository, ChannelTokens } from '../types.js';

type Row = Record<string, unknown>;

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));

function rowToTokens(r: Row): ChannelTokens {
  return {
    key: String(r.key),
    accessToken: r.access_token === null || r.access_token === undefined ? null : String(r.access_token),
    accessExpiresAt: date(r.access_expires_at),
    refreshToken: String(r.refresh_token),
    refreshFingerprint: String(r.refresh_fingerprint),
    issuedAt: date(r.issued_at)!,
    version: Number(r.version),
    status: r.status as ChannelTokens['status'],
    statusReason: r.status_reason === null || r.status_reason === undefined ? null : String(r.status_reason),
    pending:
      r.pending_answer === null || r.pending_answer === undefined
        ? null
        : { answer: String(r.pending_answer), forFingerprint: String(r.pending_for), at: date(r.pending_at)! },
    updatedAt: date(r.updated_at)!,
  };
}

/**
 * Channel tokens in the embedded store (table channel_tokens, see schema.ts). Every write
 * after the seed is one UPDATE whose WHERE names the refresh token it replaces (by
 * fingerprint): a writer holding an older pair changes no row, so the statement alone
 * decides.
 */
export function sqliteChannelTokens(db: Database.Database): ChannelTokenRepository {
  const get = db.prepare('SELECT * FROM channel_tokens WHERE key = ?');
  const seed = db.prepare(
    `INSERT INTO channel_tokens
       (key, access_token, access_expires_at, refresh_token, refresh_fingerprint, issued_at, version, status, updated_at)
     VALUES (@key, @accessToken, @accessExpiresAt, @refreshToken, @refreshFingerprint, @issuedAt, 1, 'ok', @now)
     ON CONFLICT (key) DO NOTHING`,
  );
  const savePending = db.prepare(
    `UPDATE channel_tokens SET pending_answer = @answer, pending_for = @forFingerprint, pending_at = @at
      WHERE key = @key AND refresh_fingerprint = @forFingerprint`,
  );
  const rotate = db.prepare(
    `UPDATE channel_tokens
        SET access_token = @accessToken, access_expires_at = @accessExpiresAt, refresh_token = @refreshToken,
            refresh_fingerprint = @refreshFingerprint, issued_at = @issuedAt, version = version + 1, status = 'ok',
            status_reason = NULL, pending_answer = NULL, pending_for = NULL, pending_at = NULL, updated_at = @now
      WHERE key = @key AND refresh_fingerprint = @expectFingerprint`,
  );
  const markNeedsReconnect = db.prepare(
    `UPDATE channel_tokens SET status = 'needs-reconnect', status_reason = @reason, updated_at = @now
      WHERE key = @key AND refresh_fingerprint = @expectFingerprint`,
  );
  const clearPending = db.prepare(
    `UPDATE channel_tokens SET pending_answer = NULL, pending_for = NULL, pending_at = NULL
      WHERE key = @key AND pending_for = @forFingerprint`,
  );
  return {
    async get(key) {
      const r = get.get(key) as Row | undefined;
      return r ? rowToTokens(r) : null;
    },
    async seed(key, pair, now) {
      const info = seed.run({
        key,
        accessToken: pair.accessToken,
        accessExpiresAt: pair.accessExpiresAt ? +pair.accessExpiresAt : null,
        refreshToken: pair.refreshToken,
        refreshFingerprint: pair.refreshFingerprint,
        issuedAt: +pair.issuedAt,
        now: +now,
      });
      return info.changes === 1;
    },
    async savePending(key, pending) {
      return savePending.run({ key, answer: pending.answer, forFingerprint: pending.forFingerprint, at: +pending.at }).changes === 1;
    },
    async rotate(key, expectFingerprint, pair, now) {
      const info = rotate.run({
        key,
        expectFingerprint,
        accessToken: pair.accessToken,
        accessExpiresAt: pair.accessExpiresAt ? +pair.accessExpiresAt : null,
        refreshToken: pair.refreshToken,
        refreshFingerprint: pair.refreshFingerprint,
        issuedAt: +pair.issuedAt,
        now: +now,
      });
      return info.changes === 1;
    },
    async markNeedsReconnect(key, expectFingerprint, reason, now) {
      return markNeedsReconnect.run({ key, expectFingerprint, reason, now: +now }).changes === 1;
    },
    async clearPending(key, forFingerprint) {
      return clearPending.run({ key, forFingerprint }).changes === 1;
    },
  };
}
