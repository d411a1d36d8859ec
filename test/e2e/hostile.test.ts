import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock';
import { startApp, type RunningApp } from '../../src/index';
import { messageActivity, PERSON } from '../helpers/activities';
import { cardText } from '../helpers/cards';
import { startConnector, type Connector } from '../support/connector';
import { captureLogs, type CapturedLogs } from '../helpers/logs';

/**
 * Hostile and broken input over real HTTP: each case is answered without a crash,
 * changes nothing it should not, and is logged; the app keeps serving others.
 */
let app: RunningApp;
let connector: Connector;
let logs: CapturedLogs;
let dir: string;
const ADMIN = { id: '29:admin', name: 'Heidi', aadObjectId: '00000000-0000-4000-8000-00000000a0a0' };
const clock = new ManualClock('2026-12-07T09:00:00+01:00');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nedbrud-hostile-'));
  connector = await startConnector();
  logs = captureLogs();
  app = await startApp(
    { PORT: '0', LOG_LEVEL: 'debug', SQLITE_PATH: join(dir, 'bot.sqlite'), NEXUSTEAM_IDS: ADMIN.aadObjectId, ALLOWED_TENANT_IDS: 'tenant-test' },
    { clock, logDestination: logs },
  );
});
afterAll(async () => {
  await app?.close();
  await connector?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function raw(body: string, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  const res = await fetch(`${app.url}/api/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: res.status, text: await res.text() };
}

let n = 0;
/** A personal message from a fresh person (own conversation), with fields overridden or removed. */
function activity(patch: Record<string, unknown> = {}, remove: string[] = []): Record<string, unknown> {
  n += 1;
  const a: Record<string, unknown> = {
    ...messageActivity({ serviceUrl: connector.url, text: 'hej', conversationId: `a:1hostile-${n}`, from: { id: `29:hostile-${n}`, name: `Person ${n}`, aadObjectId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` } }),
    ...patch,
  };
  for (const key of remove) delete a[key];
  return a;
}

async function post(a: unknown) {
  const before = connector.activities().length;
  const res = await raw(JSON.stringify(a));
  const replies = connector.activities().slice(before);
  return { ...res, replies, replyText: replies.map((r) => [r.text ?? '', ...(r.attachments ?? []).map((x) => cardText(x.content))].join('\n')).join('\n') };
}

async function liveState(): Promise<string> {
  const res = await post({ ...activity({ text: 'status' }), from: ADMIN });
  return res.replyText;
}

const deep = (depth: number): unknown => (depth === 0 ? { x: 1 } : { a: deep(depth - 1) });

type Case = [name: string, send: () => Promise<{ status: number; replyText?: string }>, expectStatus: number | number[], expectReply?: RegExp | null];

const cases: Case[] = [
  ['malformed JSON', () => raw('{"type": "message", '), 400],
  ['not JSON at all', () => raw('hello bot'), 400],
  ['wrong content type (text/plain)', () => raw(JSON.stringify(activity()), 'text/plain'), [400, 415]],
  ['an empty body', () => raw(''), 400],
  ['JSON null', () => raw('null'), 400],
  ['a JSON array', () => raw('[1,2,3]'), 400],
  ['a body over 256 KB', () => raw(JSON.stringify(activity({ text: 'x'.repeat(300 * 1024) }))), 413],
  ['an unknown activity type', () => post(activity({ type: 'hackTheBot' })), [200, 201, 202], null],
  ['no type at all', () => post(activity({}, ['type'])), 400],
  ['no from', () => post(activity({}, ['from'])), [200, 201, 400, 500]],
  ['no conversation', () => post(activity({}, ['conversation'])), 400],
  ['no serviceUrl', () => post(activity({}, ['serviceUrl'])), 400],
  ['a 100 KB text', () => post(activity({ text: 'Nexus er nede '.repeat(7500) })), [200, 201], /meget lang/],
  ['control characters', () => post(activity({ text: '\u0000\u0007Nexus\u001b[31m er nede\u0008' })), [200, 201], /.+/],
  ['right-to-left override and zero-width characters', () => post(activity({ text: '\u202eedeN re suxeN\u200b' })), [200, 201], /.+/],
  ['only emoji', () => post(activity({ text: '🔥🔥🔥😱' })), [200, 201], /Nexus er nede/],
  ['text that is a number', () => post(activity({ text: 12345 })), [200, 201, 400, 500]],
  ['a deeply nested value', () => post(activity({ text: undefined, value: deep(200) })), [200, 201], /ældre besked/],
  ['a value that is a string', () => post(activity({ text: undefined, value: 'triage' })), [200, 201], /ældre besked/],
  ['an unknown verb', () => post(activity({ text: undefined, value: { action: 'dropTables' } })), [200, 201], /ældre besked/],
  ['a triage with an invalid system', () => post(activity({ text: undefined, value: { action: 'triage', system: '__proto__' } })), [200, 201], /ældre besked/],
  ['a prototype-polluting value', () => post(activity({ text: undefined, value: JSON.parse('{"__proto__":{"polluted":true},"action":"status"}') })), [200, 201], /.+/],
  ['a Nexusteam verb from staff (declare)', () => post(activity({ text: undefined, value: { action: 'declareSend', submitId: 'hostile-submit-1', draft: { system: 'nexus', sinceDate: '2026-12-07', sinceTime: '08:00' } } })), [200, 201], /Det kan kun Nexusteamet/],
  ['a forged resolve of an unknown outage', () => post(activity({ text: undefined, value: { action: 'resolve', submitId: 'hostile-submit-2', outageId: 'nexus-x' } })), [200, 201], /Det kan kun Nexusteamet/],
  ['a forged escalation acknowledgement', () => post(activity({ text: undefined, value: { action: 'ackEscalation', submitId: 'hostile-submit-3', outageId: 'nexus-x' } })), [200, 201], /Det kan kun Nexusteamet/],
  ['a submit from another tenant', () => post(activity({ text: 'Nexus er nede', conversation: { id: 'a:1evil', conversationType: 'personal', tenantId: 'tenant-evil' }, channelData: { tenant: { id: 'tenant-evil' } } })), [200, 201], /kun for Brøndby/],
  ['a channel registration from staff', () => post(activity({ text: '<at>Nedbrud</at> kanal', conversation: { id: '19:evil@thread.tacv2', conversationType: 'channel', tenantId: 'tenant-test', isGroup: true }, channelData: { tenant: { id: 'tenant-test' }, team: { id: '19:team@thread.tacv2' }, channel: { id: '19:evil@thread.tacv2' } } })), [200, 201], /Det kan kun Nexusteamet/],
  ['an attachment without text', () => post(activity({ text: undefined, attachments: [{ contentType: 'image/png', contentUrl: 'http://127.0.0.1:1/x.png' }] })), [200, 201], /billeder eller filer/],
  ['a thousand entities', () => post(activity({ text: 'hjælp', entities: Array.from({ length: 1000 }, () => ({ type: 'mention', text: 'x' })) })), [200, 201], /.+/],
  ['an invoke nobody handles', () => post(activity({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'x' } } })), [200, 201, 501], null],
  ['HTML and script in the text', () => post(activity({ text: '<script>alert(1)</script> Nexus er nede' })), [200, 201], /Er Nexus også nede hos dine kolleger/],
  ['a very long name', () => post(activity({ text: 'status', from: { id: '29:long', name: 'N'.repeat(50_000) } })), [200, 201], /.+/],
];

describe('hostile input over HTTP', () => {
  it.each(cases)('%s: answered without a crash and logged', async (_name, send, expectStatus, expectReply) => {
    const linesBefore = logs.lines().length;
    const res = await send();
    const allowed = Array.isArray(expectStatus) ? expectStatus : [expectStatus];
    expect(allowed).toContain(res.status);
    if (expectReply) expect(res.replyText ?? '').toMatch(expectReply);
    if (expectReply === null) expect(res.replyText ?? '').toBe('');
    expect(logs.lines().length).toBeGreaterThan(linesBefore);
    // The app is still fine for the next person.
    const next = await post(activity({ text: 'Nexus er nede' }));
    expect(next.replyText).toContain('Nexus');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('none of it created, changed or announced an outage', async () => {
    expect(await liveState()).toContain('ikke meldt nogen nedbrud');
    // Nothing was posted to a channel on the bot's own initiative (answers to the person are replies).
    expect(connector.requests.filter((r) => r.conversationId?.startsWith('19:') && r.method !== 'GET' && r.activityId === undefined)).toEqual([]);
  });

  it('a flood of 1,000 messages from one person in a second: one kind warning, the rest dropped, others still served', async () => {
    const flooder = activity({ text: 'Nexus er nede' });
    const before = connector.activities().length;
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => raw(JSON.stringify({ ...flooder, id: `flood-${i}` }))));
    // Every one of them answered without a server error (the dropped ones too)
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    const toFlooder = connector.activities().slice(before).filter((a) => a.toConversationId === (flooder['conversation'] as { id: string }).id);
    const warnings = toFlooder.filter((a) => (a.text ?? '').includes('skriver meget hurtigt'));
    expect(warnings).toHaveLength(1);
    expect(toFlooder.length).toBeLessThan(60);
    expect(logs.text()).toContain('too many messages from one person');
    const other = await post(activity({ text: 'Nexus er nede' }));
    expect(other.replyText).toContain('Er Nexus også nede hos dine kolleger?');
  });

  it('the user PERSON constant is not affected by the flood guard of others', async () => {
    const res = await post({ ...activity({ text: 'hjælp' }), from: PERSON, conversation: { id: 'a:1person', conversationType: 'personal', tenantId: 'tenant-test' } });
    expect(res.replyText).toContain('Nexus er nede');
  });
});
