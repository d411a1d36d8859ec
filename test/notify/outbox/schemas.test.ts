import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log';
import type { OutboxMessage } from '../../../src/notify/outbox';
import { checkMessage, parseMeta, parsePayloads, parseThrottle, parseWorkers, shardReader } from '../../../src/notify/outbox/schemas';
import { captureLogs } from '../../helpers/logs';

/**
 * Reading the outbox's documents back (src/notify/outbox/schemas.ts): tolerant
 * of what is missing or malformed, one bad record never hides the others, and
 * records written before the typed purpose still load.
 */

const record = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  op: 'send',
  target: { conversationId: `a:${id}`, serviceUrl: 'http://teams.test/' },
  purpose: { kind: 'other' },
  payload: 'hash',
  state: 'pending',
  seq: 0,
  pos: 0,
  enqueuedAt: '2026-12-07T07:05:00.000Z',
  attempts: 0,
  tries: [],
  ...extra,
});

describe('a shard read back', () => {
  it('drops a record that does not parse, logging it once, and keeps the others', () => {
    const logs = captureLogs();
    const { read: parse } = shardReader(createLogger({ logLevel: 'info' }, logs));
    const stored = { rev: 4, owner: 'a', leaseUntil: 'x', messages: [record('ok', { seq: 3 }), { id: 'bad', state: 'lost' }, 'junk'], holds: { 'a:x': '2026-12-07T07:06:00.000Z', 'a:y': 5 } };
    const doc = parse(stored);
    parse(stored);
    expect(doc).toMatchObject({ rev: 4, owner: 'a', leaseUntil: 'x', nextSeq: 4, holds: { 'a:x': '2026-12-07T07:06:00.000Z' } });
    expect(doc.messages.map((r) => r.id)).toEqual(['ok']);
    const dropped = logs.lines().filter((l) => l['msg'] === 'outbox: dropped a stored message that does not parse');
    expect(dropped.map((l) => l['id'])).toEqual(['bad', '"junk"']);
  });

  it('reads a missing or broken shard as empty', () => {
    const { read: parse } = shardReader(createLogger({ logLevel: 'silent' }));
    expect(parse(undefined)).toEqual({ rev: 0, nextSeq: 0, messages: [], holds: {} });
    expect(parse('broken')).toEqual({ rev: 0, nextSeq: 0, messages: [], holds: {} });
    expect(parse({ rev: 'x', messages: 'no', holds: [] })).toEqual({ rev: 0, nextSeq: 0, messages: [], holds: {} });
  });

  it('loads a record stored before the typed purpose (its purpose mapped) and fills what older records lack', () => {
    const { read: parse } = shardReader(createLogger({ logLevel: 'silent' }));
    const old = { ...record('old', { purpose: { kind: 'escalation', outageId: 'o1', system: 'nexus', round: '2' } }) } as Record<string, unknown>;
    delete old['pos'];
    delete old['tries'];
    const [loaded] = parse({ messages: [old, record('odd', { purpose: { kind: 'whatever', x: 1 } })] }).messages;
    expect(loaded).toMatchObject({ id: 'old', purpose: { kind: 'post', post: 'escalation', outageId: 'o1', system: 'nexus', round: 2 }, pos: 0, tries: [] });
    expect(parse({ messages: [record('odd', { purpose: { kind: 'whatever', x: 1 } })] }).messages[0]?.purpose).toEqual({ kind: 'other', label: 'whatever' });
  });
});

describe('a shard reader', () => {
  it('parses a version once: the same rev read again, or the one it wrote, is the document it has; a new rev is parsed', () => {
    const reader = shardReader(createLogger({ logLevel: 'silent' }));
    const v1 = { rev: 1, nextSeq: 1, messages: [record('m')], holds: {} };
    const first = reader.read(JSON.parse(JSON.stringify(v1)));
    expect(reader.read(JSON.parse(JSON.stringify(v1)))).toBe(first);
    const v2 = { ...v1, rev: 2, messages: [record('m', { state: 'sending', attempts: 1 })] };
    expect(reader.read(v2).messages[0]).toMatchObject({ state: 'sending', attempts: 1 });
    const written = { ...reader.read(v2), rev: 3, owner: 'a' };
    reader.wrote(written);
    expect(reader.read({ ...v2, rev: 3, owner: 'a' })).toBe(written);
  });
});

describe('the small documents read back', () => {
  it('throttle, workers, payloads and meta take defaults for what is missing or malformed', () => {
    expect(parseThrottle(undefined)).toEqual({ level: 0 });
    expect(parseThrottle({ level: 'x', slowUntil: '2026-12-07T07:05:00.000Z', by: 3 })).toEqual({ level: 0, slowUntil: '2026-12-07T07:05:00.000Z' });
    expect(parseWorkers({ workers: { a: { heartbeatAt: 't', expiresAt: 'u', busySince: 1 }, b: { heartbeatAt: 't' }, c: null } })).toEqual({ workers: { a: { heartbeatAt: 't', expiresAt: 'u' } } });
    expect(parseWorkers([])).toEqual({ workers: {} });
    expect(parsePayloads({ used: { h1: 't', h2: 2 }, sweptAt: 't' })).toEqual({ used: { h1: 't' }, sweptAt: 't' });
    expect(parseMeta({ shards: 16.7 })).toEqual({ shards: 16 });
    expect(parseMeta({ shards: 0 })).toEqual({ shards: 0 });
    expect(parseMeta(undefined)).toEqual({ shards: 0 });
  });
});

describe('a message to enqueue', () => {
  const good: OutboxMessage = { id: 'm', op: 'send', target: { conversationId: 'a:x', serviceUrl: 'http://x' }, activity: { text: 'x' }, purpose: { kind: 'reminder' } };

  it('passes with its purpose as parsed', () => {
    expect(checkMessage(good)).toEqual(good);
  });

  it.each([
    [{ id: '' }, /id must be a non-empty string/],
    [{ op: 'delete' }, /unknown op delete/],
    [{ target: { conversationId: 'a:x', serviceUrl: '' } }, /target needs conversationId and serviceUrl/],
    [{ op: 'reply' }, /a reply needs rootActivityId or rootMessageId/],
    [{ op: 'update' }, /an update needs activityId or activityOfMessageId/],
    [{ activity: [] }, /activity must be an object/],
    [{ purpose: { kind: 'alert', outageId: 'o1' } }, /purpose .* is not one the outbox knows/],
  ])('refuses %o', (change, why) => {
    expect(() => checkMessage({ ...good, ...change } as unknown as OutboxMessage)).toThrow(why);
  });
});
