/** What better-sqlite3 returns for a row, and a nullable millisecond column as a Date. */
export type Row = Record<string, unknown>;

export const toDate = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(Number(v)));
