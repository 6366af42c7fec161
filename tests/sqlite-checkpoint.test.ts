/**
 * The embedded store's WAL is checkpointed by a worker thread with its own connection
 * (src/store/sqlite/checkpointer.ts), so no citizen's turn waits inside a COMMIT while
 * pages are copied and synced. Checked on real SQLite files: what the worker copied is
 * in the database file itself (a copy of that file alone holds the rows), the WAL is started
 * over and trimmed under writes that never pause, a worker that cannot start hands the work back
 * to SQLite, and closing leaves one complete file.
 */
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backgroundCheckpoints, type Checkpointer } from '../src/store/sqlite/checkpointer.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { waitFor } from './support/http.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A WAL database with one table, as the store opens it. */
function walDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  db.pragma('wal_checkpoint(TRUNCATE)');
  cleanups.push(() => db.open && db.close());
  return db;
}

function withCheckpoints(checkpoints: Checkpointer): Checkpointer {
  cleanups.push(() => checkpoints.close());
  return checkpoints;
}

/** One group commit of `rows` rows, as write-batch.ts commits a task's writes. */
function commitRows(db: Database.Database, checkpoints: Checkpointer, rows: number, body = 'x'.repeat(200)) {
  const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(body);
  })();
  checkpoints.afterCommit();
}

/** Rows found in the database file alone, without its WAL (what a checkpoint has copied). */
function rowsInMainFile(file: string): number {
  const copy = join(mkdtempSync(join(tmpdir(), 'ctxh-ckpt-copy-')), 'copy.sqlite');
  copyFileSync(file, copy);
  const db = new Database(copy, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM notes').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('WAL checkpoints run in a worker thread', () => {
  it('turns off the connection’s own checkpoints, and the worker copies committed pages into the database file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ctxh-ckpt-')), 'db.sqlite');
    const db = walDatabase(file);
    const checkpoints = withCheckpoints(backgroundCheckpoints(db, file, { everyCommits: 4 }));
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

    for (let i = 0; i < 3; i++) commitRows(db, checkpoints, 10);
    expect(checkpoints.stats().runs).toBe(0);
    expect(rowsInMainFile(file)).toBe(0);

    commitRows(db, checkpoints, 10);
    await checkpoints.idle();
    expect(checkpoints.stats()).toMatchObject({ runs: 1, fellBack: false });
    expect(rowsInMainFile(file)).toBe(40);
  });

  it('starts the WAL over under writes that never pause, and trims it to its limit', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ctxh-ckpt-')), 'db.sqlite');
    const db = walDatabase(file);
    const restartFrames = 200;
    const limit = restartFrames * 4096; // journal_size_limit
    const checkpoints = withCheckpoints(backgroundCheckpoints(db, file, { everyCommits: 5, restartFrames }));
    // The worker starts at the first checkpoint; the load below starts once it runs.
    for (let i = 0; i < 5; i++) commitRows(db, checkpoints, 1);
    await checkpoints.idle();
    const walSize = () => statSync(`${file}-wal`).size;
    let trimmed = 0;
    for (let i = 0, before = walSize(); i < 400; i++) {
      commitRows(db, checkpoints, 20, 'x'.repeat(1000));
      await new Promise((resolve) => setImmediate(resolve)); // as a server goes on between turns
      const now = walSize();
      if (before > limit && now <= limit) trimmed++;
      before = now;
    }
    // 400 commits of 20 rows of 1 KB: 8 MB written; the WAL was started over and cut back.
    expect(checkpoints.stats().restarts).toBeGreaterThan(0);
    expect(trimmed).toBeGreaterThan(0);
    // Once writes pause, the next write starts it over within the limit.
    await checkpoints.idle();
    for (let runs = checkpoints.stats().runs; checkpoints.stats().runs === runs; await checkpoints.idle()) {
      commitRows(db, checkpoints, 1); // until one commit is followed by a checkpoint
    }
    commitRows(db, checkpoints, 1);
    expect(walSize()).toBeLessThanOrEqual(limit);
    expect(statSync(file).size).toBeGreaterThan(8 * limit);
  });

  it('hands checkpoints back to SQLite when the worker cannot open the database', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ctxh-ckpt-')), 'db.sqlite');
    const db = walDatabase(file);
    const missing = join(tmpdir(), 'ctxh-no-such-dir', 'nested', 'db.sqlite');
    const checkpoints = withCheckpoints(backgroundCheckpoints(db, missing, { everyCommits: 1 }));
    commitRows(db, checkpoints, 1);
    await waitFor(() => checkpoints.stats().fellBack, 'the fallback to SQLite’s own checkpoints');
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    // Writes go on as before.
    commitRows(db, checkpoints, 1);
    expect((db.prepare('SELECT COUNT(*) AS n FROM notes').get() as { n: number }).n).toBe(2);
    await checkpoints.idle();
  });

  it('closes the store with every write in one database file and no WAL left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ctxh-ckpt-store-'));
    const store = openSqliteStore(dir);
    const at = new Date('2026-12-01T08:00:00Z');
    for (let i = 0; i < 120; i++) {
      await store.audit.append({ at, actor: 'system', action: `write-${i}`, subject: 'x' });
      await store.committed();
    }
    await store.close();
    const file = join(dir, 'ctxh.sqlite');
    expect(existsSync(`${file}-wal`)).toBe(false);
    const db = new Database(file, { readonly: true });
    cleanups.push(() => db.close());
    const written = db.prepare("SELECT COUNT(*) AS n FROM audit_events WHERE action LIKE 'write-%'").get() as { n: number };
    expect(written.n).toBe(120);
  });
});
