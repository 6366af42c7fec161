/**
 * Risk triage end to end on the embedded store: the web chat client, the real server,
 * the real SQLite file. The same scenarios run on the Mongo lane in
 * tests/store.contract.test.ts.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startAssistant } from './support/assistant.js';
import { runUrgentScenarios } from './support/urgent-scenarios.js';

let running: Awaited<ReturnType<typeof startAssistant>>;
beforeAll(async () => {
  running = await startAssistant();
});
afterAll(async () => {
  await running?.close();
});

describe('urgent messages over Direct Line (SQLite)', () => {
  it('get the safety reply first and the conversation goes to the head of the queue, mid-FAQ, mid-clarify and while waiting', async () => {
    await runUrgentScenarios(running.url, running.assistant.store);
  });
});
