import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from 'botbuilder';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_REPORTS } from '../../src/domain/outage';
import { BlobStorage } from '../../src/store/blobStorage';
import { ReportStore } from '../../src/store/reports';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { startAzurite, type Azurite } from '../support/azurite';
import { ensureBuilt, startBotProcess, type BotProcess } from '../helpers/botProcess';
import { startConnector, type Connector } from '../support/connector';
import { say, who } from '../helpers/httpWorld';

/**
 * The burst the bot exists for, at small scale: 300 staff report the same Nexus
 * outage through two bot processes sharing one store (a SQLite file; Azure Blob
 * on Azurite), with the default configuration (detection on). Every distinct
 * reporter is stored exactly once and the live document stays small.
 */

const STAFF = 300;
const AT_ONCE = 30;
const REPORT = { action: 'triage', system: 'nexus', scope: 'general' } as const;

interface Backend {
  readonly name: string;
  env(): Record<string, string>;
  /** The app's storage, opened by the test after both processes stopped. */
  open(): Storage & { close(): void };
  /** The size of the largest stored document, in bytes. */
  largest(storage: Storage): Promise<number>;
}

let azurite: Azurite | undefined;
let dir: string;
let connector: Connector;
let bots: BotProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'nedbrud-burst-'));
  connector = await startConnector();
  azurite = await startAzurite();
}, 60_000);
afterEach(async () => {
  await Promise.all(bots.map((b) => b.stop()));
  bots = [];
});
afterAll(async () => {
  await connector?.close();
  await azurite?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sqlitePath = () => join(dir, 'burst.sqlite');
const BACKENDS: Backend[] = [
  {
    name: 'SQLite (one file)',
    env: () => ({ SQLITE_PATH: sqlitePath() }),
    open: () => new SqliteStorage({ path: sqlitePath() }),
    async largest() {
      const db = new Database(sqlitePath(), { readonly: true });
      try {
        return db.prepare<[], { n: number }>('SELECT max(length(value)) AS n FROM items').get()?.n ?? 0;
      } finally {
        db.close();
      }
    },
  },
  {
    name: 'Azure Blob (Azurite)',
    env: () => ({ STORAGE: 'blob', BLOB_CONNECTION_STRING: azurite!.connectionString, BLOB_CONTAINER: 'burst' }),
    open: () => new BlobStorage({ connectionString: azurite!.connectionString, container: 'burst' }),
    // The live document is the one every report used to grow.
    largest: async (storage) => JSON.stringify((await storage.read(['outages/live']))['outages/live'] ?? {}).length,
  },
];

describe.each(BACKENDS)('300 staff reporting through two processes: $name', (backend) => {
  it('stores exactly 300 distinct reporters, counts 300, and keeps the live document small', async () => {
    const common = { PORT: '0', LOG_LEVEL: 'info', DEV_PLAYGROUND: 'false', ...backend.env() };
    // One after the other: the first creates the schema or the container.
    bots.push(await startBotProcess(common));
    bots.push(await startBotProcess(common));
    const staff = Array.from({ length: STAFF }, (_, i) => who(5000 + i));
    const failed: string[] = [];
    for (let from = 0; from < STAFF; from += AT_ONCE) {
      const turns = await Promise.all(
        staff.slice(from, from + AT_ONCE).map((p, i) => say(bots[(from + i) % 2]!.url, connector, p, REPORT, { conversationId: `a:1personal-${p.id}`, conversationType: 'personal' })),
      );
      for (const t of turns) if (t.status >= 300 || t.replies.length === 0 || /noget gik galt/i.test(t.text)) failed.push(`${t.status}: ${t.text.slice(0, 80)}`);
    }
    expect(failed).toEqual([]);
    // Both processes see the same count
    for (const bot of bots) {
      const status = await say(bot.url, connector, who(9999), 'status', { conversationId: 'a:1personal-status', conversationType: 'personal' });
      expect(status.text).toContain(`Nexus: ${STAFF} meldinger`);
    }
    await Promise.all(bots.map((b) => b.stop()));
    bots = [];

    const storage = backend.open();
    try {
      const live = (await storage.read(['outages/live']))['outages/live'] as { open?: { nexus?: { id: string; reports: unknown[] } } };
      const outage = live.open?.nexus;
      expect(outage).toBeDefined();
      expect(outage!.reports).toHaveLength(FIRST_REPORTS);
      const reporters = (await new ReportStore(storage).all(outage!.id)).map((r) => r.person.key);
      expect(reporters).toHaveLength(STAFF);
      expect(new Set(reporters)).toEqual(new Set(staff.map((p) => p.aadObjectId)));
      expect(await new ReportStore(storage).count(outage!.id)).toBe(STAFF);
      const largest = await backend.largest(storage);
      console.info(`${backend.name}: largest stored document ${largest} bytes after ${STAFF} reporters`);
      expect(largest).toBeLessThan(16 * 1024);
    } finally {
      storage.close();
    }
  }, 120_000);
});
