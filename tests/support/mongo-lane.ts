/**
 * The MongoDB lane of the store tests: MONGODB_URI is a real mongod when set from
 * outside, else the jongodb server tests/support/global-setup.ts started.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openMongoStore } from '../../src/store/mongo/mongo-store.js';
import type { Store } from '../../src/store/types.js';

export function mongoLaneUri(): string | undefined {
  return process.env.MONGODB_URI || undefined;
}

/**
 * A store on a database of its own (jongodb cannot drop databases, so each call gets a
 * fresh random name instead of cleaning up), with one connection: jongodb is unsafe
 * under concurrent connections.
 */
export async function openMongoTestStore(dbName = newTestDbName()): Promise<Store> {
  const uri = mongoLaneUri();
  if (!uri) throw new Error('MONGODB_URI is not set: no Mongo lane to open');
  return openMongoStore(uri, { dbName, maxPoolSize: 1 });
}

/** A fresh database name for one test store. */
export const newTestDbName = () => `ctxh_test_${randomBytes(6).toString('hex')}`;

/** One lane of the store contract: a name and a way to open a fresh, empty store. */
export interface StoreLane {
  name: string;
  open: () => Promise<Store>;
}

/** SQLite always (a fresh temporary directory each time), and MongoDB when there is a lane. */
export function storeLanes(tmpPrefix = 'ctxh-store-'): StoreLane[] {
  const lanes: StoreLane[] = [{ name: 'sqlite', open: async () => openSqliteStore(mkdtempSync(join(tmpdir(), tmpPrefix))) }];
  if (mongoLaneUri()) lanes.push({ name: 'mongo', open: () => openMongoTestStore() });
  return lanes;
}
