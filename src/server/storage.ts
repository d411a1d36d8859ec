import fs from 'node:fs';
import path from 'node:path';
import { MemoryStorage, type Storage } from 'botbuilder';
import { ConfigError, type Config } from '../config';
import { BlobStorage, containerNameProblem } from '../store/blobStorage';
import { SqliteStorage } from '../store/sqliteStorage';

/** The storage the app runs on, with a readiness check and a clean close. */
export interface StorageHandle {
  readonly kind: Config['storage']['kind'];
  readonly storage: Storage;
  /** Resolves when the storage answers a cheap read; rejects otherwise. */
  ping(): Promise<void>;
  /** Releases files and connections. Safe to call twice. */
  close(): Promise<void>;
}

/** The read used by ping when a backend has no cheaper check. */
export const READINESS_KEY = 'readyz';

export function createStorage(config: Pick<Config, 'storage'>): StorageHandle {
  const settings = config.storage;
  switch (settings.kind) {
    case 'sqlite': {
      if (settings.path !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(settings.path)), { recursive: true });
      const storage = new SqliteStorage({ path: settings.path });
      return {
        kind: 'sqlite',
        storage,
        ping: async () => storage.ping(),
        close: async () => storage.close(),
      };
    }
    case 'memory': {
      const storage = new MemoryStorage();
      return {
        kind: 'memory',
        storage,
        ping: async () => {
          await storage.read([READINESS_KEY]);
        },
        close: async () => undefined,
      };
    }
    case 'blob': {
      const problem = containerNameProblem(settings.container);
      if (problem) throw new ConfigError(`Invalid configuration: BLOB_CONTAINER: "${settings.container}" ${problem}`);
      let storage: BlobStorage;
      try {
        storage = new BlobStorage({ connectionString: settings.connectionString, container: settings.container });
      } catch (err) {
        throw new ConfigError(`Invalid configuration: BLOB_CONNECTION_STRING: ${err instanceof Error ? err.message : String(err)}`);
      }
      return {
        kind: 'blob',
        storage,
        ping: () => storage.ping(),
        close: async () => storage.close(),
      };
    }
  }
}
