import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Settings of backgroundCheckpoints(); every one has a default. */
export interface CheckpointOptions {
  /**
   * Group commits between two checkpoint requests. Default 32 (a few hundred to a
   * thousand WAL pages at a turn's ten to twenty). Lower keeps the WAL smaller; higher
   * copies a page written by many turns (the table's last page, an index's) once.
   */
  everyCommits?: number;
  /**
   * WAL frames past which the connection restarts the WAL itself. Default 16,000 (about
   * 64 MB at 4 KB pages). Only sustained load without a pause reaches it; lower bounds
   * the file more tightly at the cost of a short pause more often.
   */
  restartFrames?: number;
  /** busy_timeout of the worker's connection, ms. Default 5,000 (as the store's). */
  busyTimeoutMs?: number;
}

/** What the worker has done so far: for tests and diagnostics. */
export interface CheckpointStats {
  /** Checkpoints the worker has run. */
  runs: number;
  /** Restarts the connection ran after the log passed `restartFrames`. */
  restarts: number;
  /** True once the worker failed and the connection checkpoints itself again. */
  fellBack: boolean;
}

export interface Checkpointer {
  /**
   * Call after each commit, outside any transaction: asks the worker for a checkpoint
   * every `everyCommits`, or restarts the WAL when it has grown past `restartFrames`.
   */
  afterCommit: () => void;
  /** Resolves once no checkpoint is running (immediately when none is). */
  idle: () => Promise<void>;
  stats: () => CheckpointStats;
  /** Stops the worker; the connection may then close (its own close checkpoints). */
  close: () => Promise<void>;
}

/** SQLite's default, restored when the worker cannot do the work. */
const SQLITE_AUTOCHECKPOINT = 1000;

// Plain CommonJS for an eval'd worker: runs the same under tsx, vitest and compiled dist.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
db.pragma('synchronous = NORMAL');
parentPort.on('message', (message) => {
  if (message === 'CLOSE') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, log: r.log });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message) });
  }
});
`;

/** The worker's answer: the WAL's length in frames after its pass, or a failure. */
interface WorkerReply {
  ok: boolean;
  log?: number;
  error?: string;
}

/**
 * WAL checkpoints off the event loop. SQLite's own checkpoint runs inside the COMMIT that
 * crosses `wal_autocheckpoint` (1,000 pages): every few dozen group commits one turn
 * waits while the pages are copied into the database file and both files are synced
 * (two fsyncs on a real disk), and every other citizen waits behind it. Here the
 * connection never checkpoints; a worker thread with its own connection does, after
 * every `everyCommits` commits, while the event loop goes on serving turns. A PASSIVE
 * checkpoint never blocks a writer, so nothing waits for it.
 *
 * Under load that never pauses, the WAL cannot start over (it restarts only when a
 * write begins with every frame checkpointed), and a RESTART from the worker would wait
 * for a gap between groups that may not come. So once the worker reports the log past
 * `restartFrames`, the connection itself runs a RESTART right after its next commit,
 * when no transaction is open and the worker is idle: it copies only the frames since
 * the worker's last pass and syncs once (a few milliseconds, once per that many frames);
 * the next write starts the WAL over and `journal_size_limit` trims the file.
 *
 * The worker starts at the first checkpoint (a store that writes little never starts
 * one). If it cannot start or fails, the connection goes back to checkpointing itself.
 *
 * `file` is the database's path, for the worker's own connection.
 *
 * @example
 * const checkpoints = backgroundCheckpoints(db, join(dataDir, 'ctxh.sqlite'));
 * const batch = groupWrites(db, setImmediate, checkpoints.afterCommit);
 * // … on close:
 * batch.flush(); db.close(); await checkpoints.close();
 */
export function backgroundCheckpoints(db: Database.Database, file: string, options: CheckpointOptions = {}): Checkpointer {
  const everyCommits = options.everyCommits ?? 32;
  const restartFrames = options.restartFrames ?? 16_000;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  db.pragma('wal_autocheckpoint = 0');
  db.pragma(`journal_size_limit = ${restartFrames * 4096}`);

  let worker: Worker | null = null;
  let commits = 0;
  let running = false;
  let restartDue = false;
  let closed = false;
  let idleWaiters: Array<() => void> = [];
  const stats: CheckpointStats = { runs: 0, restarts: 0, fellBack: false };

  const settle = () => {
    running = false;
    const done = idleWaiters;
    idleWaiters = [];
    for (const resolve of done) resolve();
  };

  const fallBack = () => {
    if (stats.fellBack) return;
    stats.fellBack = true;
    void worker?.terminate();
    worker = null;
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT}`);
    settle();
  };

  const onReply = (reply: WorkerReply) => {
    if (!reply.ok) return fallBack();
    stats.runs++;
    if ((reply.log ?? 0) >= restartFrames) restartDue = true;
    settle();
  };

  const start = (): Worker => {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file, busyTimeoutMs } });
    w.unref();
    w.on('message', onReply);
    w.on('error', fallBack);
    w.on('exit', () => {
      if (!closed) fallBack();
    });
    return w;
  };

  return {
    afterCommit() {
      if (closed || stats.fellBack || running) return;
      if (restartDue) {
        restartDue = false;
        commits = 0;
        // Never waits on another process's reader: busy now means try after the next commit.
        const timeout = db.pragma('busy_timeout', { simple: true }) as number;
        try {
          db.pragma('busy_timeout = 0');
          const [result] = db.pragma('wal_checkpoint(RESTART)') as Array<{ busy: number }>;
          if (result?.busy) restartDue = true;
          else stats.restarts++;
        } catch {
          restartDue = true; // never fails the commit it follows
        } finally {
          db.pragma(`busy_timeout = ${timeout}`);
        }
        return;
      }
      if (++commits < everyCommits) return;
      commits = 0;
      running = true;
      try {
        worker ??= start();
        worker.postMessage('PASSIVE');
      } catch {
        fallBack();
      }
    },
    idle: () => (running ? new Promise<void>((resolve) => idleWaiters.push(resolve)) : Promise.resolve()),
    stats: () => ({ ...stats }),
    async close() {
      closed = true;
      const w = worker;
      worker = null;
      settle();
      if (!w) return;
      // The worker closes its connection and ends; one stuck in a checkpoint is stopped.
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage('CLOSE');
      const timer = setTimeout(() => void w.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
