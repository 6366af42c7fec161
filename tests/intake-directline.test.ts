/**
 * The guided intake end to end on the embedded store: Microsoft's Direct Line client,
 * the real server, the real SQLite file read raw afterwards. The same scenarios run on
 * the Mongo lane in tests/store.contract.test.ts. Each test has a store of its own, so
 * a raw read sees only what that test's citizen left.
 */
import { afterEach, describe, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { runCancelledAtSummary, runDeclinedConsent, runDigression, runIntakeAndErasure, runInvalidPhones } from './support/intake-scenarios.js';
import { sqliteDump } from './support/raw-dump.js';

let running: Awaited<ReturnType<typeof startAssistant>> | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('guided intake over Direct Line (SQLite)', () => {
  it('completes an intake typed without diacritics with an old province name, then shows and erases it', async () => {
    running = await startAssistant();
    await runIntakeAndErasure(running.url, running.assistant.store, sqliteDump(running.dataDir));
  });

  it('keeps nothing personal after a declined consent', async () => {
    running = await startAssistant();
    await runDeclinedConsent(running.url, running.assistant.store, sqliteDump(running.dataDir));
  });

  it('keeps nothing an intake gathered or echoed once it is cancelled at the summary', async () => {
    running = await startAssistant();
    await runCancelledAtSummary(running.url, running.assistant.store, sqliteDump(running.dataDir));
  });

  it('answers a policy question typed mid-intake, then asks the same question again', async () => {
    running = await startAssistant();
    await runDigression(running.url);
  });

  it('offers a counsellor after three invalid phone numbers, not a fourth prompt', async () => {
    running = await startAssistant();
    await runInvalidPhones(running.url);
  });
});
