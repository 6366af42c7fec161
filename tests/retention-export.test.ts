/**
 * What is past its time is erased once across instances, and one case can be exported
 * for a referral: on the real SQLite file, the export through the real command.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { retentionCutoffs, sweepRetention } from '../src/server/retention.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { newCase } from './support/builders.js';

const run = promisify(execFile);
const now = new Date('2026-11-30T03:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

describe('retention sweep', () => {
  it('works out its cut-offs from the configured days', () => {
    expect(retentionCutoffs(now, 730, 180)).toEqual({ cases: daysAgo(730), messages: daysAgo(180) });
  });

  it('erases cases, consents and messages past their time, on one instance of two', async () => {
    const store = openSqliteStore(mkdtempSync(join(tmpdir(), 'ctxh-retention-')));
    try {
      const old = await store.cases.create(newCase({ createdAt: daysAgo(800) }));
      const recent = await store.cases.create(newCase({ createdAt: daysAgo(10) }));
      await store.consents.record({ citizenKey: 'webchat:citizen-1', conversationId: 'conv-1', channel: 'webchat', purpose: 'intake', decision: 'granted', textVersion: 'v1', at: daysAgo(800) });
      await store.messages.recordInbound({ conversationId: 'conv-1', channel: 'webchat', direction: 'in', platformMessageId: 'm-old', text: 'sdt 0905123456', activity: { type: 'message' }, createdAt: daysAgo(200) });
      await store.messages.recordInbound({ conversationId: 'conv-1', channel: 'webchat', direction: 'in', platformMessageId: 'm-new', text: 'hôm nay', activity: { type: 'message' }, createdAt: daysAgo(1) });

      const options = { now, caseDays: 730, messageDays: 180, intervalMs: 3_600_000, batch: 1 };
      const [a, b] = await Promise.all([sweepRetention(store, { ...options, holder: 'a' }), sweepRetention(store, { ...options, holder: 'b' })]);
      const results = [a, b].filter((r) => r !== null);
      expect(results).toEqual([{ cases: 1, consents: 1, messages: 1 }]);

      expect(await store.cases.get(old.id)).toMatchObject({ phone: null, description: null, citizenKey: null });
      expect(await store.cases.get(recent.id)).toMatchObject({ phone: '+84905123456' });
      expect((await store.messages.listByConversation('conv-1')).map((m) => m.text)).toEqual(['', 'hôm nay']);
      // Within the interval the lease is still held: nobody sweeps again.
      expect(await sweepRetention(store, { ...options, holder: 'b', now: new Date(now.getTime() + 60_000) })).toBeNull();
    } finally {
      await store.close();
    }
  });
});

describe('npm run data:export', () => {
  it('prints one case as JSON with place names and its consents, and says so in the audit log', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-export-'));
    const store = openSqliteStore(dataDir);
    const consent = await store.consents.record({ citizenKey: 'webchat:citizen-1', conversationId: 'conv-1', channel: 'webchat', purpose: 'intake', decision: 'granted', textVersion: 'v1', at: now });
    const kept = await store.cases.create(newCase({ consentIds: [consent.id] }));
    await store.close();

    const env = { ...process.env, DATA_DIR: dataDir, MONGODB_URI: '', LOG_LEVEL: 'silent', EXPORTED_BY: 'staff:lan' };
    const { stdout } = await run('npx', ['tsx', 'src/cli/data-export.ts', '--case', kept.code.toLowerCase()], { env });
    const exported = JSON.parse(stdout);
    expect(exported.case).toMatchObject({ code: kept.code, phone: '+84905123456', provinceName: 'Thành phố Đà Nẵng' });
    expect(exported.consents).toEqual([expect.objectContaining({ id: consent.id, purpose: 'intake', decision: 'granted', textVersion: 'v1' })]);

    const missing = await run('npx', ['tsx', 'src/cli/data-export.ts', '--case', 'CTXH-2026-999999'], { env }).catch((e) => e);
    expect(missing.code).toBe(1);
    const usage = await run('npx', ['tsx', 'src/cli/data-export.ts', '--case', 'abc'], { env }).catch((e) => e);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/CTXH-2026-000123/);

    const reopened = openSqliteStore(dataDir);
    try {
      expect(await reopened.audit.list({ action: 'case.exported' })).toEqual([expect.objectContaining({ actor: 'staff:lan', detail: { caseId: kept.id, code: kept.code } })]);
    } finally {
      await reopened.close();
    }
  });
});
