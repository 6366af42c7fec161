/**
 * The server's own logger (src/server/logger.ts: serializers and redaction as in
 * production) writing into memory, for tests that check what a log line may hold.
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/server/logger.js';

export function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger('debug', stream), lines };
}
