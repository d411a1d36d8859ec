import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CloudAdapter } from 'botbuilder';
import { loadConfig } from '../../src/config';
import { loadInstruction } from '../../src/instruction/load';
import { createLogger, type Logger } from '../../src/log';
import { Outbox, type OutboxMessage, type OutboxOptions } from '../../src/notify/outbox';
import { AdapterSender } from '../../src/notify/sender';
import { createAdapter } from '../../src/server/adapter';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { captureLogs, type CapturedLogs } from './logs';

/**
 * An outbox over the real AdapterSender (one try: the outbox retries) and the
 * CloudAdapter in development mode, on SQLite files in a temp directory: what the
 * outbox tests share. Fast settings by default (short polls, leases, backoff).
 */
export interface OutboxWorld {
  readonly dir: string;
  readonly file: string;
  readonly adapter: CloudAdapter;
  readonly logger: Logger;
  readonly logs: CapturedLogs;
  /** A new Outbox (each with its own connection to the SQLite file). */
  outbox(options?: Partial<Omit<OutboxOptions, 'storage' | 'sender' | 'logger'>>): Outbox;
  /** Stops every outbox made here, closes the connections, removes the directory. */
  close(): Promise<void>;
}

export const FAST: Partial<OutboxOptions> = {
  pollMs: 50,
  idlePollMs: 200,
  leaseMs: 2_000,
  backoff: { baseMs: 50, maxMs: 400 },
  failureBatchMs: 100,
  tagActivities: true,
};

export function outboxWorld(): OutboxWorld {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nedbrud-outbox-'));
  const file = path.join(dir, 'outbox.sqlite');
  const config = loadConfig({});
  const logs = captureLogs();
  const logger = createLogger({ logLevel: 'info' }, logs);
  const adapter = createAdapter(config, logger, loadInstruction());
  const made: { outbox: Outbox; storage: SqliteStorage }[] = [];
  return {
    dir,
    file,
    adapter,
    logger,
    logs,
    outbox(options = {}) {
      const storage = new SqliteStorage({ path: file });
      const sender = new AdapterSender(adapter, config.bot.appId, logger);
      const outbox = new Outbox({ ...FAST, ...options, storage, sender, logger });
      made.push({ outbox, storage });
      return outbox;
    },
    async close() {
      for (const m of made) await m.outbox.stop();
      for (const m of made) m.storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A plain text message to one conversation (a channel when the id looks like one). */
export function textTo(serviceUrl: string, conversationId: string, id: string, text = id): OutboxMessage {
  return { id, op: 'send', target: { conversationId, serviceUrl, tenantId: 'tenant-test' }, activity: { type: 'message', text }, purpose: { kind: 'other', label: conversationId } };
}
