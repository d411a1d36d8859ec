import type { Storage } from 'botbuilder';
import pino from 'pino';
import { Outbox } from '../../src/notify/outbox';
import type { Sender } from '../../src/notify/sender';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { waitUntil } from './wait';

/**
 * What the bot's outbox still has to do, counted by the outbox itself
 * (`Outbox.stats`, every shard) on the storage the processes share, alive or dead.
 *
 * A test that asserts "nothing else was sent" waits for this to be empty
 * instead of sleeping: once no message is pending, in flight or waiting for its
 * delivery hook (which may queue more), nothing queued can still reach Teams.
 */

/** The outbox is only read here, never started: it sends nothing. */
const NO_SENDER: Sender = {
  send: () => Promise.reject(new Error('not sending')),
  reply: () => Promise.reject(new Error('not sending')),
  update: () => Promise.reject(new Error('not sending')),
};

/** True when no message is pending, in flight or waiting for its delivery hook. */
export async function outboxIsIdle(storage: Storage): Promise<boolean> {
  const stats = await new Outbox({ storage, sender: NO_SENDER, logger: pino({ level: 'silent' }) }).stats();
  return stats.pending + stats.sending + stats.unnotified === 0;
}

/** Waits until the processes on this SQLite file have sent everything queued. */
export function outboxDrained(file: string, timeoutMs = 10_000): Promise<void> {
  return waitUntil(
    async () => {
      const storage = new SqliteStorage({ path: file });
      try {
        return await outboxIsIdle(storage);
      } finally {
        storage.close();
      }
    },
    timeoutMs,
    'the outbox drained',
  );
}
