import { MemoryStorage, type Activity } from 'botbuilder';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock';
import { declare, newOutage, type Outage, type Person } from '../../src/domain/outage';
import { PersonalAlerts, alertMessageKey, maskDeep, type AlertSender } from '../../src/notify/alerts';
import { Subscriptions, type Reach } from '../../src/store/subscriptions';

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

const message = (text: string): Partial<Activity> => ({ type: 'message', text, textFormat: 'plain' });

interface Delivered {
  readonly conversationId: string;
  readonly activity: Partial<Activity>;
}

/** The Teams edge: records 1:1 sends; conversations in `failWith` answer with that status. */
function recordingSender(): AlertSender & { sent: Delivered[]; failWith: Map<string, number> } {
  const sent: Delivered[] = [];
  const failWith = new Map<string, number>();
  return {
    sent,
    failWith,
    async send(target, activity) {
      const status = failWith.get(target.conversationId);
      if (status) throw Object.assign(new Error(`HTTP ${status}`), { statusCode: status, code: status === 403 ? 'BotDisabledByAdmin' : 'BadGateway' });
      sent.push({ conversationId: target.conversationId, activity });
      return { activityId: `act-${sent.length}` };
    },
  };
}

let storage: MemoryStorage;
let subs: Subscriptions;
let sender: ReturnType<typeof recordingSender>;
let alerts: PersonalAlerts;
const clock = new ManualClock(AT);
const logger = pino({ level: 'silent' });

beforeEach(async () => {
  storage = new MemoryStorage();
  subs = new Subscriptions(storage);
  sender = recordingSender();
  clock.set(AT);
  alerts = new PersonalAlerts({ subscriptions: subs, sender, logger, clock });
  await subs.subscribe(ANNA, reach('anna'), null, AT);
  await subs.subscribe(BO, reach('bo'), 'nexus', AT);
  await subs.subscribe(CARL, reach('carl'), 'bekey', AT);
});

const to = () => sender.sent.map((s) => s.conversationId).sort();

describe('PersonalAlerts.fanOut', () => {
  it('sends to the subscribers of the system and of all systems, each exactly once', async () => {
    const first = await alerts.fanOut(outage(), alertMessageKey.announcement, message('Nexus er nede'));
    expect(first).toEqual({ sent: 2, skipped: 0, removed: 0, failed: [] });
    expect(to()).toEqual(['a:1chat-anna', 'a:1chat-bo']);

    const again = await alerts.fanOut(outage(), alertMessageKey.announcement, message('Nexus er nede'));
    expect(again).toEqual({ sent: 0, skipped: 2, removed: 0, failed: [] });
    expect(sender.sent).toHaveLength(2);

    const update = await alerts.fanOut(outage(), alertMessageKey.update('u1'), message('Opdatering'));
    expect(update.sent).toBe(2);
    const allclear = await alerts.fanOut(outage(), alertMessageKey.allclear, message('Løst'));
    expect(allclear.sent).toBe(2);
    expect(sender.sent.map((s) => s.activity.text)).toEqual(['Nexus er nede', 'Nexus er nede', 'Opdatering', 'Opdatering', 'Løst', 'Løst']);

    const bekey = await alerts.fanOut(outage('bekey'), alertMessageKey.announcement, message('Bekey er nede'));
    expect(bekey.sent).toBe(2);
    expect(sender.sent.slice(-2).map((s) => s.conversationId).sort()).toEqual(['a:1chat-anna', 'a:1chat-carl']);
  });

  it('two fan-outs of the same message at once still send each person one copy', async () => {
    const other = new PersonalAlerts({ subscriptions: new Subscriptions(storage), sender, logger, clock });
    const [a, b] = await Promise.all([
      alerts.fanOut(outage(), alertMessageKey.announcement, message('x')),
      other.fanOut(outage(), alertMessageKey.announcement, message('x')),
    ]);
    expect((a?.sent ?? 0) + (b?.sent ?? 0)).toBe(2);
    expect(to()).toEqual(['a:1chat-anna', 'a:1chat-bo']);
  });

  it('after "stop nedbrud" nothing more arrives', async () => {
    await alerts.fanOut(outage(), alertMessageKey.announcement, message('Nexus er nede'));
    expect(await subs.unsubscribe(BO.key)).toBe(true);
    const update = await alerts.fanOut(outage(), alertMessageKey.update('u1'), message('Opdatering'));
    expect(update).toEqual({ sent: 1, skipped: 0, removed: 0, failed: [] });
    expect(sender.sent.filter((s) => s.conversationId === 'a:1chat-bo')).toHaveLength(1);
  });

  it('a subscriber who blocked the bot (403) is removed; 404 too', async () => {
    sender.failWith.set('a:1chat-anna', 403);
    sender.failWith.set('a:1chat-bo', 404);
    const result = await alerts.fanOut(outage(), alertMessageKey.announcement, message('Nexus er nede'));
    expect(result).toEqual({ sent: 0, skipped: 0, removed: 2, failed: [] });
    expect(await subs.get(ANNA.key)).toBeNull();
    expect(await subs.get(BO.key)).toBeNull();
    expect((await subs.all()).map((s) => s.key)).toEqual([CARL.key]);
    sender.failWith.clear();
    const later = await alerts.fanOut(outage(), alertMessageKey.update('u1'), message('Opdatering'));
    expect(later.sent).toBe(0);
    expect(sender.sent).toEqual([]);
  });

  it('other failures are left for a retry: not delivered, not removed, sent once the retry works', async () => {
    sender.failWith.set('a:1chat-bo', 502);
    const first = await alerts.fanOut(outage(), alertMessageKey.announcement, message('Nexus er nede'));
    expect(first.sent).toBe(1);
    expect(first.failed).toEqual([{ personKey: BO.key, statusCode: 502, error: 'Error: HTTP 502' }]);
    expect(await subs.get(BO.key)).not.toBeNull();
    expect(await subs.wasDelivered('nexus-1', alertMessageKey.announcement, BO.key)).toBe(false);
    sender.failWith.clear();
    const retry = await alerts.fanOut(outage(), alertMessageKey.announcement, message('Nexus er nede'));
    expect(retry).toEqual({ sent: 1, skipped: 1, removed: 0, failed: [] });
    expect(sender.sent.filter((s) => s.conversationId === 'a:1chat-bo')).toHaveLength(1);
    expect(sender.sent.filter((s) => s.conversationId === 'a:1chat-anna')).toHaveLength(1);
  });

  it('a send that died mid-way (claim left behind) is retried after the lease, not before', async () => {
    await subs.claim('nexus-1', alertMessageKey.announcement, BO.key, AT);
    const soon = await alerts.fanOut(outage(), alertMessageKey.announcement, message('x'));
    expect(soon).toMatchObject({ sent: 1, skipped: 1 });
    clock.advance(3 * 60_000);
    const later = await alerts.fanOut(outage(), alertMessageKey.announcement, message('x'));
    expect(later).toMatchObject({ sent: 1, skipped: 1 });
    expect(to()).toEqual(['a:1chat-anna', 'a:1chat-bo']);
  });

  it('masks CPR-like numbers everywhere in the activity, card content included', async () => {
    const card: Partial<Activity> = {
      type: 'message',
      text: 'Borger 010190-1234 ringede',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { body: [{ type: 'TextBlock', text: 'CPR 0101901234' }] } }],
    };
    await alerts.fanOut(outage(), alertMessageKey.announcement, card);
    const json = JSON.stringify(sender.sent.map((s) => s.activity));
    expect(json).not.toContain('010190-1234');
    expect(json).not.toContain('0101901234');
    expect(json).toContain('******-****');
    expect(json).toContain('**********');
    expect(card.text).toBe('Borger 010190-1234 ringede'); // the caller's object is not changed
  });

  it("writes to each subscriber in their language, and follows a change of it", async () => {
    await subs.subscribe({ ...BO, lang: 'en' }, reach('bo'), 'nexus', AT);
    const inLanguage = (lang: 'da' | 'en') => message(lang === 'da' ? 'Nexus er nede 010190-1234' : 'Nexus is down 010190-1234');
    await alerts.fanOut(outage(), alertMessageKey.announcement, inLanguage);
    const text = (n: string) => sender.sent.filter((s) => s.conversationId === `a:1chat-${n}`).map((s) => s.activity.text);
    expect(text('anna')).toEqual(['Nexus er nede ******-****']);
    expect(text('bo')).toEqual(['Nexus is down ******-****']);

    await subs.setLanguage(BO.key, 'da');
    await alerts.fanOut(outage(), alertMessageKey.allclear, (lang) => message(lang === 'da' ? 'Nexus virker igen' : 'Nexus works again'));
    expect(text('bo')).toEqual(['Nexus is down ******-****', 'Nexus virker igen']);
  });
});

describe('maskDeep', () => {
  it('keeps structure, numbers, phone numbers and dates', () => {
    const value = { a: ['4460 5040', 24, '24-12-2026'], b: { c: '311299 0000' }, d: null, e: true };
    expect(maskDeep(value)).toEqual({ a: ['4460 5040', 24, '24-12-2026'], b: { c: '****** ****' }, d: null, e: true });
  });
});
