import pino from 'pino';
import { Outbox } from '../../src/notify/outbox';
import type { Sender } from '../../src/notify/sender';
import { SqliteStorage } from '../../src/store/sqliteStorage';
import { waitUntil } from './wait';

/** The outbox is only read here (stats), never started: it sends nothing. */
const NO_SENDER: Sender = {
  send: () => Promise.reject(new Error('not sending')),
  reply: () => Promise.reject(new Error('not sending')),
  update: () => Promise.reject(new Error('not sending')),
};

/** Messages the bot processes' outbox (on this SQLite file) still has to send, or whose hook has not run. */
export async function outboxLeft(file: string): Promise<number> {
  const storage = new SqliteStorage({ path: file });
  try {
    const stats = await new Outbox({ storage, sender: NO_SENDER, logger: pino({ level: 'silent' }) }).stats();
    return stats.pending + stats.sending + stats.unnotified;
  } finally {
    storage.close();
  }
}

/** Waits until the processes on this file have sent everything queued: "nothing else happened" is then a fact. */
export function outboxDrained(file: string, timeoutMs = 10_000): Promise<void> {
  return waitUntil(async () => (await outboxLeft(file)) === 0, timeoutMs, 'the outbox drained');
}
