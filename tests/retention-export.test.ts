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
import { newCase, newTicket } from './support/builders.js';
import { sqliteDump } from './support/raw-dump.js';

const run = promisify(execFile);
const now = new Date('2026-11-30T03:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

describe('retention sweep', () => {
  it('works out its cut-offs from the configured days', () => {
    expect(retentionCutoffs(now, 730, 180)).toEqual({ cases: daysAgo(730), messages: daysAgo(180) });
  });

  it('erases cases, consents, tickets, notes, messages and inbox questions past their time, on one instance of two', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ctxh-retention-'));
    const store = openSqliteStore(dataDir);
    try {
      const old = await store.cases.create(newCase({ createdAt: daysAgo(800) }));
      const recent = await store.cases.create(newCase({ createdAt: daysAgo(10) }));
      await store.consents.record({ citizenKey: 'webchat:citizen-1', conversationId: 'conv-1', channel: 'webchat', purpose: 'intake', decision: 'granted', textVersion: 'v1', at: daysAgo(800) });
      await store.messages.recordInbound({ conversationId: 'conv-1', channel: 'webchat', direction: 'in', platformMessageId: 'm-old', text: 'sdt 0905123456', activity: { type: 'message' }, createdAt: daysAgo(200) });
      await store.messages.recordInbound({ conversationId: 'conv-1', channel: 'webchat', direction: 'in', platformMessageId: 'm-new', text: 'hôm nay', activity: { type: 'message' }, createdAt: daysAgo(1) });
      // A ticket closed long ago, with a close note and a staff note that name the citizen's situation.
      const oldTicket = (await store.tickets.open(newTicket('citizen-1', { channel: 'webchat', citizenKey: 'webchat:citizen-1', conversationId: 'conv-1', createdAt: daysAgo(801) }))).ticket;
      await store.tickets.close(oldTicket.id, { by: 'staff-1', outcome: 'referred', note: 'Bà ở một mình, đã báo trưởng thôn' }, daysAgo(800));
      await store.notes.add({ conversationId: 'conv-1', ticketId: oldTicket.id, authorId: 'staff-1', text: 'Gọi lại bà qua số 0905123456', createdAt: daysAgo(800) });
      // A recent one, and one still open though opened long ago: both kept as they are.
      const recentTicket = (await store.tickets.open(newTicket('citizen-2', { createdAt: daysAgo(20) }))).ticket;
      const recentClosed = await store.tickets.close(recentTicket.id, { by: 'staff-1', outcome: 'resolved', note: 'Đã hướng dẫn hồ sơ' }, daysAgo(10));
      const openTicket = (await store.tickets.open(newTicket('citizen-3', { createdAt: daysAgo(900) }))).ticket;
      const recentNote = await store.notes.add({ conversationId: 'conv-telegram', ticketId: recentTicket.id, authorId: 'staff-1', text: 'Đã gửi mẫu đơn', createdAt: daysAgo(10) });

      // The inbox: a question last asked 200 days ago goes with the messages of its age.
      const oldQuestion = await store.unanswered.add({ sample: 'vay vốn ở đâu', terms: ['vay_von'], kind: 'declined', at: daysAgo(200) });
      const newQuestion = await store.unanswered.add({ sample: 'đổi bằng lái', terms: ['bang_lai'], kind: 'declined', at: daysAgo(2) });

      const options = { now, caseDays: 730, messageDays: 180, intervalMs: 3_600_000, batch: 1 };
      const [a, b] = await Promise.all([sweepRetention(store, { ...options, holder: 'a' }), sweepRetention(store, { ...options, holder: 'b' })]);
      const results = [a, b].filter((r) => r !== null);
      expect(results).toEqual([{ cases: 1, consents: 1, tickets: 1, notes: 1, messages: 1, inbox: 1 }]);
      expect((await store.audit.list({ action: 'retention.swept' }))[0]?.detail).toEqual({ cases: 1, consents: 1, tickets: 1, notes: 1, messages: 1, inbox: 1 });
      expect(await store.unanswered.get(oldQuestion.id)).toBeNull();
      expect(await store.unanswered.get(newQuestion.id)).not.toBeNull();

      expect(await store.cases.get(old.id)).toMatchObject({ phone: null, description: null, citizenKey: null });
      expect(await store.cases.get(recent.id)).toMatchObject({ phone: '+84905123456' });
      expect((await store.messages.listByConversation('conv-1')).map((m) => m.text)).toEqual(['', 'hôm nay']);
      // The old ticket stays as a count, nobody's and without its note; the old staff note is gone.
      expect(await store.tickets.get(oldTicket.id)).toMatchObject({ citizenKey: '', closeNote: null, status: 'closed', outcome: 'referred', closedAt: daysAgo(800) });
      expect(await store.tickets.listByCitizen('webchat:citizen-1')).toEqual([]);
      expect(await store.notes.listByConversations(['conv-1', 'conv-telegram'])).toEqual([recentNote]);
      expect(await store.tickets.get(recentTicket.id)).toEqual(recentClosed);
      expect(await store.tickets.get(openTicket.id)).toEqual(openTicket);
      const file = await sqliteDump(dataDir)();
      expect(file).not.toContain('trưởng thôn');
      expect(file).not.toContain('0905123456');
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
