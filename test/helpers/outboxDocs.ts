import type { Storage } from 'botbuilder';

/**
 * What the bot's outbox still has to do, read from its documents in storage the
 * way src/notify/outbox.ts keeps them: `outbox/meta` holds the shard count, each
 * `outbox/shard/NN` its message records. Every process shares the shards, so
 * this covers all of them, alive or dead.
 *
 * A test that asserts "nothing else was sent" waits for this to be empty
 * instead of sleeping: once no message is pending, in flight or waiting for its
 * delivery hook, nothing queued can still reach Teams.
 */
interface OutboxBacklog {
  readonly pending: number;
  readonly sending: number;
  /** Delivered or failed, but the hook (which may queue more) has not run. */
  readonly unnotified: number;
}

interface RecordDoc {
  readonly state?: unknown;
  readonly notified?: unknown;
}

async function outboxBacklog(storage: Pick<Storage, 'read'>): Promise<OutboxBacklog> {
  const meta = (await storage.read(['outbox/meta']))['outbox/meta'] as { shards?: unknown } | undefined;
  const shards = typeof meta?.shards === 'number' ? meta.shards : 0;
  const keys = Array.from({ length: shards }, (_, i) => `outbox/shard/${String(i).padStart(2, '0')}`);
  const docs = keys.length > 0 ? await storage.read(keys) : {};
  let pending = 0;
  let sending = 0;
  let unnotified = 0;
  for (const key of keys) {
    const messages = (docs[key] as { messages?: readonly RecordDoc[] } | undefined)?.messages ?? [];
    for (const r of messages) {
      if (r.state === 'pending') pending++;
      else if (r.state === 'sending') sending++;
      else if (r.notified !== true) unnotified++;
    }
  }
  return { pending, sending, unnotified };
}

/** True when no message is pending, in flight or waiting for its delivery hook. */
export async function outboxIsIdle(storage: Pick<Storage, 'read'>): Promise<boolean> {
  const b = await outboxBacklog(storage);
  return b.pending === 0 && b.sending === 0 && b.unnotified === 0;
}
