import type { Config } from '../server/config.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

/** MongoDB when MONGODB_URI is set (a province), otherwise the embedded SQLite file. */
export async function openStore(config: Pick<Config, 'MONGODB_URI' | 'MONGODB_DB' | 'DATA_DIR'>): Promise<Store> {
  if (config.MONGODB_URI) {
    const { openMongoStore } = await import('./mongo/mongo-store.js');
    return openMongoStore(config.MONGODB_URI, { dbName: config.MONGODB_DB });
  }
  return openSqliteStore(config.DATA_DIR);
}
