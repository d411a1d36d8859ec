/**
 * The outbox (./outbox.ts): every proactive send goes through it, durably,
 * paced within Teams' limits, retried, recorded once. This is its public surface;
 * the parts behind it are internal.
 */
export { Outbox } from './outbox';
export type { OutboxMessage, OutboxOptions, OutboxRecord } from './types';
