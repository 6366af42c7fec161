import type Database from 'better-sqlite3';

/**
 * Group commit for the embedded store: every write made while the event loop runs one
 * task (a turn's inbound message, conversation, state, replies and audit lines, and those
 * of any other turn running beside it) goes into one transaction, committed once the task
 * is over (`setImmediate`). One commit per turn instead of one per statement is most of
 * what a turn costs in SQLite (each commit appends to the WAL and updates its index).
 *
 * Nothing may be acknowledged before its commit: `committed()` resolves once every write
 * made so far is in the file (at once when none is pending). The turn runner awaits it
 * before a message counts as received, and the HTTP layer before any response leaves
 * (`answerAfterCommit` in src/server/commit-barrier.ts), so a crash can lose only what
 * nobody was told was kept. Reads on this connection see the pending writes as usual.
 *
 * A statement that fails (a duplicate, a constraint) undoes only itself, as before; a
 * failure that makes SQLite abandon the whole transaction (disk full, I/O error) rejects
 * `committed()` for every write of the group, so their acknowledgements become errors.
 *
 * @example
 * const batch = groupWrites(db);     // after pragmas and migrations
 * db.prepare('INSERT INTO t VALUES (1)').run();
 * await batch.committed();           // now on disk
 */
export interface WriteBatch {
  /** Resolves once every write made so far is committed; rejects if its group was lost. */
  committed(): Promise<void>;
  /** Commits the open group now (before closing the database). */
  flush(): void;
}

/**
 * The commits of this process's open groups. A second connection to the same file in one
 * process (tests model several instances so; the store opens one) would wait for the
 * write lock while the task that must commit it cannot run: it commits them first.
 */
const openGroups = new Set<() => void>();

/**
 * Commits every open group of this process: before another connection to a file writes
 * outside a group (opening a store migrates), or it would wait for a lock held by a task
 * that cannot run until it is done.
 */
export function commitOpenGroups(): void {
  for (const commit of [...openGroups]) commit();
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Wraps `db.prepare` so that statements which write open the group's transaction first
 * (and reads first commit other connections' groups of this process).
 * Call once, after the connection's pragmas and migrations (a pragma cannot run inside a
 * transaction). `afterCommit` runs after each group is committed (checkpointer.ts).
 */
export function groupWrites(
  db: Database.Database,
  schedule: (commit: () => void) => void = setImmediate,
  afterCommit: () => void = () => {},
): WriteBatch {
  let open = false;
  let waiters: Waiter[] = [];
  let lost: Error | null = null;

  const settle = (err: Error | null) => {
    const done = waiters;
    waiters = [];
    for (const w of done) (err ? w.reject(err) : w.resolve());
  };

  /** SQLite rolled the whole group back after an error: none of it is kept. */
  const abandoned = () => {
    settle(lost ?? new Error('the embedded store lost a group of writes'));
    lost = null;
  };

  const commit = () => {
    openGroups.delete(commit);
    if (!open) return;
    open = false;
    if (!db.inTransaction) return abandoned();
    try {
      db.exec('COMMIT');
      settle(null);
      afterCommit();
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      settle(err instanceof Error ? err : new Error(String(err)));
    }
  };

  /** Before a write: the group's transaction, unless one (ours or a nested `db.transaction`) is open. */
  const enter = () => {
    if (open && !db.inTransaction) {
      // Abandoned by an error earlier in this task: its writers learn it now.
      open = false;
      abandoned();
    }
    if (open || db.inTransaction) return;
    commitOpenGroups();
    // Deferred: the lock is taken by the group's first statement, always a write (so it
    // waits out busy_timeout like any write), not before it.
    db.exec('BEGIN');
    open = true;
    openGroups.add(commit);
    schedule(commit);
  };

  /** Before a read: another connection of this process (tests' second instance) shows what it wrote. */
  const look = () => {
    if (openGroups.size > (open ? 1 : 0)) for (const other of [...openGroups]) if (other !== commit) other();
  };

  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const statement = prepare(source);
    const before = statement.readonly ? look : enter;
    for (const method of ['run', 'get', 'all', 'iterate'] as const) {
      const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        before();
        try {
          return original(...args);
        } catch (err) {
          // Remember why, should SQLite have abandoned the group with this statement.
          if (before === enter && open && !db.inTransaction) lost = err instanceof Error ? err : new Error(String(err));
          throw err;
        }
      };
    }
    return statement;
  }) as typeof db.prepare;

  const transaction = db.transaction.bind(db);
  // A `db.transaction` function opens the group first, so it runs as a savepoint inside it.
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const wrapped = transaction(fn);
    const inGroup = (variant: (...args: unknown[]) => unknown) => (...args: unknown[]) => {
      enter();
      return variant(...args);
    };
    return Object.assign(inGroup(wrapped), {
      deferred: inGroup(wrapped.deferred),
      immediate: inGroup(wrapped.immediate),
      exclusive: inGroup(wrapped.exclusive),
      default: inGroup(wrapped.default),
    });
  }) as typeof db.transaction;

  return {
    committed() {
      if (!open) return Promise.resolve();
      return new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    },
    flush: commit,
  };
}
