/**
 * Everything a store holds, as raw JSON text, read the way an auditor reading the
 * database would (not through our repositories): every row of every SQLite table, every
 * document of every MongoDB collection the app defines.
 */
import Database from 'better-sqlite3';
import mongoose from 'mongoose';
import { join } from 'node:path';
import { defineModels } from '../../src/store/mongo/models.js';

/** Every row of every table in the SQLite file, read through a second, read-only connection. */
export function sqliteDump(dataDir: string, fileName = 'ctxh.sqlite'): () => Promise<string> {
  return async () => {
    const db = new Database(join(dataDir, fileName), { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      return JSON.stringify(Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all()])));
    } finally {
      db.close();
    }
  };
}

/** Every document of every collection the app defines, through a connection of its own. */
export function mongoDump(uri: string, dbName: string): () => Promise<string> {
  return async () => {
    const conn = await mongoose.createConnection(uri, { dbName, maxPoolSize: 1 }).asPromise();
    try {
      const models = defineModels(conn);
      const out: Record<string, unknown[]> = {};
      for (const [name, model] of Object.entries(models)) out[name] = await (model as mongoose.Model<unknown>).find().lean();
      return JSON.stringify(out);
    } finally {
      await conn.close();
    }
  };
}
