/**
 * Channel tokens in MongoDB (collection channel_tokens, one document per account as its
 * _id). The seed is an upsert with $setOnInsert (a second seeder matches the existing
 * document and changes nothing, or collides on _id); every later write is one updateOne
 * whose filter names the refresh token it replaces (by fingerprint), so of a current and
 * a stale writer only the current one matches.
 */
import type { Model } from 'mongoose';
import type { ChannelTokenRepository, ChannelTokens } from '../types.js';
import { isDuplicateKey } from './helpers.js';
import type { ChannelTokenDoc } from './models.js';

function docToTokens(d: ChannelTokenDoc): ChannelTokens {
  return {
    key: d._id,
    accessToken: d.accessToken ?? null,
    accessExpiresAt: d.accessExpiresAt ? new Date(d.accessExpiresAt) : null,
    refreshToken: d.refreshToken,
    refreshFingerprint: d.refreshFingerprint,
    issuedAt: new Date(d.issuedAt),
    version: d.version,
    status: d.status,
    statusReason: d.statusReason ?? null,
    pending: d.pendingAnswer ? { answer: d.pendingAnswer, forFingerprint: d.pendingFor ?? '', at: new Date(d.pendingAt ?? 0) } : null,
    updatedAt: new Date(d.updatedAt),
  };
}

export function mongoChannelTokens(M: Model<ChannelTokenDoc>): ChannelTokenRepository {
  return {
    async get(key) {
      const d = await M.findOne({ _id: key }).lean<ChannelTokenDoc>();
      return d ? docToTokens(d) : null;
    },
    async seed(key, pair, now) {
      try {
        const res = await M.updateOne(
          { _id: key },
          {
            $setOnInsert: {
              accessToken: pair.accessToken,
              accessExpiresAt: pair.accessExpiresAt,
              refreshToken: pair.refreshToken,
              refreshFingerprint: pair.refreshFingerprint,
              issuedAt: pair.issuedAt,
              version: 1,
              status: 'ok',
              statusReason: null,
              pendingAnswer: null,
              pendingFor: null,
              pendingAt: null,
              updatedAt: now,
            },
          },
          { upsert: true },
        );
        return res.upsertedCount === 1;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    },
    async savePending(key, pending) {
      const res = await M.updateOne(
        { _id: key, refreshFingerprint: pending.forFingerprint },
        { $set: { pendingAnswer: pending.answer, pendingFor: pending.forFingerprint, pendingAt: pending.at } },
      );
      return res.matchedCount === 1;
    },
    async rotate(key, expectFingerprint, pair, now) {
      const res = await M.updateOne(
        { _id: key, refreshFingerprint: expectFingerprint },
        {
          $set: {
            accessToken: pair.accessToken,
            accessExpiresAt: pair.accessExpiresAt,
            refreshToken: pair.refreshToken,
            refreshFingerprint: pair.refreshFingerprint,
            issuedAt: pair.issuedAt,
            status: 'ok',
            statusReason: null,
            pendingAnswer: null,
            pendingFor: null,
            pendingAt: null,
            updatedAt: now,
          },
          $inc: { version: 1 },
        },
      );
      return res.matchedCount === 1;
    },
    async markNeedsReconnect(key, expectFingerprint, reason, now) {
      const res = await M.updateOne(
        { _id: key, refreshFingerprint: expectFingerprint },
        { $set: { status: 'needs-reconnect', statusReason: reason, updatedAt: now } },
      );
      return res.matchedCount === 1;
    },
    async clearPending(key, forFingerprint) {
      const res = await M.updateOne({ _id: key, pendingFor: forFingerprint }, { $set: { pendingAnswer: null, pendingFor: null, pendingAt: null } });
      return res.matchedCount === 1;
    },
  };
}
