import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertMessageKey, maskDeep } from '../../src/app/alerts';
import type { Message } from '../../src/app/messages';
import { declare, newOutage, type Outage, type Person } from '../../src/domain/outage';
import type { Reach } from '../../src/store/subscriptions';
import { cardText } from '../helpers/cards';
import { NEXUSTEAM_CHANNEL, testServices, type TestWorld } from '../helpers/bot';

/**
 * Personal alerts through the app's real outbox (on the test's storage) to a
 * recording Teams: who gets what, once, in their language, masked; a subscriber
 * Teams no longer reaches is removed, other failures reported to the Nexusteam.
 */

const AT = new Date('2026-12-07T07:55:00.000Z');
const ADMIN: Person = { key: 'admin-1', name: 'Nexus Admin' };
const ANNA = { key: 'anna', name: 'Anna Jensen' };
const BO = { key: 'bo', name: 'Bo Hansen' };
const CARL = { key: 'carl', name: 'Carl Nielsen' };
const reach = (n: string): Reach => ({ conversationId: `a:1chat-${n}`, serviceUrl: 'http://connector.test' });

function outage(system: 'nexus' | 'bekey' = 'nexus'): Outage {
  const o = newOutage({ id: `${system}-1`, system, status: 'active', start: AT, at: AT });
  return declare(o, { description: 'Nexus svarer ikke', start: AT, expected: null, by: ADMIN, at: AT });
}

const update = (text: string, o = outage()): Message => ({ kind: 'update', lang: 'da', outage: o, text, at: AT });

let w: TestWorld;

beforeEach(async () => {
  w = testServices(AT.toISOString());
  await w.subscriptions.subscribe(ANNA, reach('anna'), null, AT);
  await w.subscriptions.subscribe(BO, reach('bo'), 'nexus', AT);
  await w.subscriptions.subscribe(CARL, reach('carl'), 'bekey', AT);
});
afterEach(async () => w.outbox.stop());

const sentTo = (conversationId: string) => w.sender.posted.filter((p) => p.conversationId === conversationId);
const texts = (conversationId: string) => sentTo(conversationId).map((p) => cardText(p.activity));

describe('PersonalAlerts.fanOut', () => {
  it('goes to the subscribers of the system and of all systems, each exactly once however often it runs', async () => {
    expect(await w.alerts.fanOut(outage(), alertMessageKey.update('u1'), update('Første opdatering'))).toBe(2);
    expect(await w.alerts.fanOut(outage(), alertMessageKey.update('u1'), update('Første opdatering'))).toBe(2);
    await w.settle();
    expect(w.sender.posted.map((p) => p.conversationId).sort()).toEqual(['a:1chat-anna', 'a:1chat-bo']);

    await w.alerts.fanOut(outage('bekey'), alertMessageKey.allclear, { kind: 'allClear', lang: 'da', outage: outage('bekey') });
    await w.settle();
    expect(w.sender.posted.slice(2).map((p) => p.conversationId).sort()).toEqual(['a:1chat-anna', 'a:1chat-carl']);
  });

  it('after "stop nedbrud" nothing more arrives', async () => {
    await w.alerts.fanOut(outage(), alertMessageKey.update('u1'), update('Første'));
    expect(await w.subscriptions.unsubscribe(BO.key)).toBe(true);
    expect(await w.alerts.fanOut(outage(), alertMessageKey.update('u2'), update('Anden'))).toBe(1);
    await w.settle();
    expect(sentTo('a:1chat-bo')).toHaveLength(1);
    expect(sentTo('a:1chat-anna')).toHaveLength(2);
  });

  it('a subscriber who blocked the bot (403) or removed it (404) is unsubscribed, and gets nothing more', async () => {
    w.sender.failWith.set('a:1chat-anna', 403);
    w.sender.failWith.set('a:1chat-bo', 404);
    await w.alerts.fanOut(outage(), alertMessageKey.update('u1'), update('Første'));
    await w.settle();
    expect(await w.subscriptions.get(ANNA.key)).toBeNull();
    expect(await w.subscriptions.get(BO.key)).toBeNull();
    expect((await w.subscriptions.all()).map((s) => s.key)).toEqual([CARL.key]);
    // Not a failure the Nexusteam must act on.
    expect(sentTo(NEXUSTEAM_CHANNEL.conversationId)).toEqual([]);
    w.sender.failWith.clear();
    expect(await w.alerts.fanOut(outage(), alertMessageKey.update('u2'), update('Anden'))).toBe(0);
  });

  it('an alert that keeps failing otherwise is reported to the Nexusteam, and the subscription kept', async () => {
    w.sender.failFor.add('a:1chat-bo');
    await w.alerts.fanOut(outage(), alertMessageKey.update('u1'), update('Første'));
    await w.settle();
    expect(await w.subscriptions.get(BO.key)).not.toBeNull();
    expect(sentTo('a:1chat-anna')).toHaveLength(1);
    const report = texts(NEXUSTEAM_CHANNEL.conversationId);
    expect(report).toHaveLength(1);
    expect(report[0]).toContain('Nexus');
    expect(report[0]).toContain('1');
  });

  it('masks CPR-like numbers everywhere in what is queued', async () => {
    await w.alerts.fanOut(outage(), alertMessageKey.update('u1'), update('Borger 010190-1234 ringede, CPR 0101901234'));
    await w.settle();
    const json = JSON.stringify(w.sender.posted.map((p) => p.activity));
    expect(json).not.toContain('010190-1234');
    expect(json).not.toContain('0101901234');
    expect(json).toContain('******-****');
    expect(json).toContain('**********');
  });

  it('writes to each subscriber in their language, and follows a change of it', async () => {
    await w.subscriptions.subscribe({ ...BO, lang: 'en' }, reach('bo'), 'nexus', AT);
    await w.alerts.fanOut(outage(), alertMessageKey.allclear, (lang) => ({ kind: 'allClear', lang, outage: outage() }));
    await w.settle();
    expect(texts('a:1chat-anna').join(' ')).toContain('virker igen');
    expect(texts('a:1chat-bo').join(' ')).toContain('works again');

    await w.subscriptions.setLanguage(BO.key, 'da');
    await w.alerts.fanOut(outage(), alertMessageKey.update('u1'), (lang) => update(lang === 'da' ? 'Dansk tekst' : 'English text'));
    await w.settle();
    expect(texts('a:1chat-bo')[1]).toContain('Dansk tekst');
  });
});

describe('maskDeep', () => {
  it('keeps structure, numbers, phone numbers and dates', () => {
    const value = { a: ['4460 5040', 24, '24-12-2026'], b: { c: '311299 0000' }, d: null, e: true, f: AT };
    expect(maskDeep(value)).toEqual({ a: ['4460 5040', 24, '24-12-2026'], b: { c: '****** ****' }, d: null, e: true, f: AT });
  });
});
