import Database from 'better-sqlite3';

/** One document from the app's SQLite file, through a separate read-only connection. */
export function readDoc(sqlitePath: string, key: string): unknown {
  const db = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare<[string], { value: string }>('SELECT value FROM items WHERE key = ?').get(key);
    return row ? (JSON.parse(row.value) as unknown) : undefined;
  } finally {
    db.close();
  }
}
