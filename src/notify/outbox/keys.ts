/**
 * Where the outbox keeps its state. Storage has no list or query, so a few small
 * documents:
 * - `outbox/shard/<i>`: the messages of the conversations that hash to i, the
 *   shard's lease and holds (./shard.ts).
 * - `outbox/payload/<sha256>`: the activity, stored once however many recipients
 *   share it; `outbox/payloads` indexes them for the retention sweep (./payloads.ts).
 * - `outbox/throttle`: the shared throttle (./throttle.ts).
 * - `outbox/workers`: live instances (./workers.ts).
 * - `outbox/signal`: touched by every enqueue, so idle instances notice work
 *   with one small read per poll.
 * - `outbox/meta`: the shard count fixed at first use.
 */

const PREFIX = 'outbox';
export const shardKey = (i: number): string => `${PREFIX}/shard/${String(i).padStart(2, '0')}`;
export const payloadKey = (hash: string): string => `${PREFIX}/payload/${hash}`;
export const THROTTLE_KEY = `${PREFIX}/throttle`;
export const WORKERS_KEY = `${PREFIX}/workers`;
export const SIGNAL_KEY = `${PREFIX}/signal`;
export const PAYLOADS_KEY = `${PREFIX}/payloads`;
export const META_KEY = `${PREFIX}/meta`;

/** `outbox/meta`. */
export interface MetaDoc {
  /** 0: not set up yet. */
  readonly shards: number;
}

/** `outbox/payloads`. */
export interface PayloadsDoc {
  /** Payload hash → last enqueue that used it (ISO). */
  readonly used: Readonly<Record<string, string>>;
  readonly sweptAt?: string;
}
