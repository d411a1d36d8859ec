import fs from 'node:fs';
// A dependency of botbuilder-azure-blobs (the app's Blob storage goes through it); here only to list the container.
import { ContainerClient } from '@azure/storage-blob';
import Database from 'better-sqlite3';
import { BlobStorage } from '../src/store/blobStorage';
import { SqliteStorage } from '../src/store/sqliteStorage';
import { storedReporters } from './reporters';

/** What a run left in its storage: the documents, the largest ones, and the reporters it holds. */
export interface StorageFigures {
  readonly items: number;
  readonly bytes: number;
  /** The three largest documents, largest first (the stored JSON, in bytes). */
  readonly largest: readonly { readonly key: string; readonly bytes: number }[];
  /** Distinct members of staff with a stored Nexus report (see reporters.ts); null if it could not be read. */
  readonly reporters: number | null;
}

async function countReporters(open: () => { storage: Parameters<typeof storedReporters>[0]; close(): void }): Promise<number | null> {
  let handle: ReturnType<typeof open> | undefined;
  try {
    handle = open();
    return await storedReporters(handle.storage);
  } catch {
    return null;
  } finally {
    handle?.close();
  }
}

/** The SQLite file of a stopped bot: sizes by SQL (the stored values' lengths), reporters through the app's own storage class. */
export async function inspectSqlite(file: string): Promise<StorageFigures | null> {
  if (!fs.existsSync(file)) return null;
  let sizes: Omit<StorageFigures, 'reporters'>;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const total = db.prepare('SELECT COUNT(*) AS items, COALESCE(SUM(length(CAST(value AS BLOB))), 0) AS bytes FROM items').get() as {
      items: number;
      bytes: number;
    };
    const largest = db
      .prepare('SELECT key, length(CAST(value AS BLOB)) AS bytes FROM items ORDER BY bytes DESC LIMIT 3')
      .all() as { key: string; bytes: number }[];
    sizes = { items: total.items, bytes: total.bytes, largest };
  } catch {
    return null;
  } finally {
    db.close();
  }
  const reporters = await countReporters(() => {
    const storage = new SqliteStorage({ path: file });
    return { storage, close: () => storage.close() };
  });
  return { ...sizes, reporters };
}

/** BlobStorage's blob name → the app's key (it escapes '%', '/' and '.', then BlobsStorage URL-encodes). */
function keyOfBlob(name: string): string {
  let escaped: string;
  try {
    escaped = decodeURIComponent(name);
  } catch {
    return name;
  }
  return escaped.replace(/%2F/g, '/').replace(/%2E/g, '.').replace(/%25/g, '%');
}

/** A Blob container (Azurite): every blob's size from the listing, reporters through the app's own storage class. */
export async function inspectBlob(connectionString: string, container: string): Promise<StorageFigures | null> {
  let items = 0;
  let bytes = 0;
  const all: { key: string; bytes: number }[] = [];
  try {
    const client = new ContainerClient(connectionString, container);
    for await (const blob of client.listBlobsFlat()) {
      const size = blob.properties.contentLength ?? 0;
      items += 1;
      bytes += size;
      all.push({ key: keyOfBlob(blob.name), bytes: size });
    }
  } catch {
    return null;
  }
  all.sort((a, b) => b.bytes - a.bytes);
  const reporters = await countReporters(() => {
    const storage = new BlobStorage({ connectionString, container });
    return { storage, close: () => storage.close() };
  });
  return { items, bytes, largest: all.slice(0, 3), reporters };
}
