import { describe, expect, it } from 'vitest';
import { advise } from '../../src/domain/advise';
import { OfficeHours } from '../../src/domain/officeHours';
import type { AdviceRequest } from '../../src/domain/types';
import { catalogue, t } from '../../src/bot/i18n';
import { recognizerFor } from '../../src/domain/intent';
import {
  adviceCard,
  contactsCard,
  hoursCard,
  noticeCard,
  questionCard,
  reviewCard,
  welcomeCard,
  worthKnowingCard,
  type ViewContext,
} from '../../src/bot/views';
import type { AdaptiveCardJson } from '../../src/bot/cards';
import { LANGUAGES } from '../../src/instruction/schema';
import { cardProblems } from '../helpers/cards';
import { addUpdate, claimDuty, claimOwnership, declare, newOutage, resolve } from '../../src/domain/outage';
import {
  announcementCard,
  backUpCard,
  claimCard,
  declareFormCard,
  escalationCard,
  knownOutageCard,
  resolveMenuCard,
  statusCard,
  suspectedCard,
  updateFormCard,
} from '../../src/bot/outageViews';
import { instruction, MONDAY_MORNING, SATURDAY_EVENING } from '../helpers/bot';

const { recognize } = recognizerFor(instruction.systems);

/** Every card the bot can send, rendered with representative data, in both languages. */
function everyCard(): [string, AdaptiveCardJson][] {
  const cards: [string, AdaptiveCardJson][] = [];
  for (const lang of LANGUAGES) {
    for (const at of [SATURDAY_EVENING, MONDAY_MORNING]) {
      const now = new Date(at);
      const ctx: ViewContext = { lang, instruction, now, hours: new OfficeHours(instruction, [], lang) };
      cards.push([`welcome ${lang}`, welcomeCard(lang, instruction)]);
      cards.push([`contacts ${lang} ${at}`, contactsCard(ctx)]);
      cards.push([`hours ${lang} ${at}`, hoursCard(ctx, '2026-12-21', 14)]);
      for (const kind of ['system', 'scope', 'internet'] as const) {
        cards.push([`question ${kind} ${lang}`, questionCard(kind, { action: 'triage', system: 'nexus', scope: 'general' }, ctx, ['a', 'b'])]);
      }
      const requests: AdviceRequest[] = [];
      for (const { id: system } of instruction.systems) {
        requests.push({ system, scope: 'individual' }, { system, scope: 'general' });
        requests.push({ system, scope: 'general', internet: 'up' }, { system, scope: 'general', internet: 'down' });
        requests.push({ system, scope: 'general', internet: 'up', vendorSaysInternal: true });
      }
      for (const req of requests) {
        const advice = advise(instruction, ctx.hours, req, now, { lang });
        cards.push([`advice ${advice.branch} ${req.system} ${lang} ${at}`, adviceCard(advice, ctx)]);
        const worth = worthKnowingCard(advice.worthKnowing, ctx);
        if (worth) cards.push([`worth ${req.system} ${lang}`, worth]);
      }
      cards.push([`notice ${lang}`, noticeCard('Titel', ['linje 1', 'linje 2'], [{ title: 'Hjælp', data: { action: 'help' } }])]);
      cards.push(...outageCards(lang, now));
    }
  }
  return cards;
}

/** The outage cards: announcement (open and resolved), known, suspected, status, forms, escalation, back-up, review. */
function outageCards(lang: 'da' | 'en', now: Date): [string, AdaptiveCardJson][] {
  const who = { key: 'k1', name: 'Anna Hansen' };
  let o = newOutage({ id: 'o1', system: 'nexus', status: 'suspected', start: now, at: now, reports: [{ person: who, at: now.toISOString() }] });
  const cards: [string, AdaptiveCardJson][] = [
    [`suspected ${lang}`, suspectedCard(o, { lang, now, instruction }, 'submit-1')],
    [`known suspected ${lang}`, knownOutageCard(o, { lang, now, instruction, nexusteamOpen: false, afterMinutes: 120, reporters: 3 })],
    [`known suspected, Nexusteam told ${lang}`, knownOutageCard({ ...o, nexusteamTold: now.toISOString() }, { lang, now, instruction, nexusteamOpen: true, afterMinutes: 120, reporters: 3 })],
    [`claim ${lang}`, claimCard(o, 0, { lang, now, instruction, afterMinutes: 120 })],
    [`claim repeat ${lang}`, claimCard(o, 2, { lang, now, instruction, afterMinutes: 120 })],
    [`claim taken ${lang}`, claimCard(claimDuty(o, who, now).outage, 0, { lang, now, instruction, afterMinutes: 120 })],
    [`escalation in the channel, unconfirmed ${lang}`, escalationCard(o, 0, { instruction, lang, now, afterMinutes: 120, forChannel: true, claimsSent: 3 })],
  ];
  const owned = claimOwnership(o, who, now, 'it');
  if (owned.ok) {
    cards.push(
      [`announcement owned by an IT caller ${lang}`, announcementCard(owned.outage, instruction, lang, now, { afterMinutes: 120 })],
      [`announcement for providers ${lang}`, announcementCard(owned.outage, instruction, lang, now, { afterMinutes: 120, audience: 'providers' })],
      [`known owned ${lang}`, knownOutageCard(owned.outage, { lang, now, instruction, nexusteamOpen: false, afterMinutes: 120, reporters: 3 })],
    );
  }
  o = declare(o, { description: 'Nexus svarer ikke', start: now, expected: 'kl. 12', by: who, at: now });
  o = addUpdate(o, { id: 'u1', at: now.toISOString(), by: who, text: 'KMD arbejder på det' });
  const ctx = { instruction, lang, now, afterMinutes: 120 };
  cards.push(
    [`announcement ${lang}`, announcementCard(o, instruction, lang, now)],
    [`known active ${lang}`, knownOutageCard(o, { lang, now, instruction, nexusteamOpen: true, afterMinutes: 120, reporters: 3 })],
    [`known active, Nexusteam closed ${lang}`, knownOutageCard(o, { lang, now, instruction, nexusteamOpen: false, afterMinutes: 120, reporters: 3 })],
    [`status ${lang}`, statusCard([o], ctx)],
    [`declare form ${lang}`, declareFormCard({ system: 'nexus', description: '', sinceDate: '2026-12-07', sinceTime: '08:40', expected: '' }, ctx, 'submit-2', 'fejl')],
    [`update form ${lang}`, updateFormCard([o], ctx, 'submit-3')],
    [`resolve menu ${lang}`, resolveMenuCard([o], ctx, 'submit-4')],
    [`escalation ${lang}`, escalationCard(o, 0, ctx)],
    [`escalation repeat ${lang}`, escalationCard(o, 3, ctx)],
    [`back-up ${lang}`, backUpCard(o, ctx)],
    [`review ${lang}`, reviewCard(instruction)],
  );
  const resolved = resolve(o, who, now);
  cards.push([`announcement resolved ${lang}`, announcementCard(resolved, instruction, lang, now)]);
  return cards;
}

describe('every card the bot can send', () => {
  const cards = everyCard();
  it('covers every branch of the decision path', () => {
    const names = cards.map(([n]) => n).join('\n');
    for (const branch of ['individual', 'nexusteam', 'check-internet', 'kmd', 'bekey', 'it', 'vendor-internal']) {
      expect(names).toContain(`advice ${branch} `);
    }
  });
  it.each(cards)('%s parses in the Adaptive Cards object model, ≤ 1.5, < 28 KB, fully expanded', (_name, card) => {
    expect(cardProblems(card)).toEqual([]);
  });
});

describe('the card checker itself', () => {
  it('catches an unknown element, an Action.Execute-like unknown action, a 1.6 card and an unexpanded template', () => {
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Bogus' }] })).not.toEqual([]);
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [], actions: [{ type: 'Action.Foo', title: 'x' }] })).not.toEqual([]);
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.6', body: [] })).not.toEqual([]);
    expect(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: '${x}' }] })).not.toEqual([]);
  });
});

describe('language catalogues', () => {
  it('write "1 kollega" and "3 kolleger" from one text', () => {
    expect(t('da', 'known.reporters', { count: 1 })).toMatch(/^1 kollega /);
    expect(t('da', 'known.reporters', { count: 3 })).toMatch(/^3 kolleger /);
    expect(t('en', 'known.reporters', { count: 1 })).toMatch(/^1 colleague /);
    expect(t('en', 'known.reporters', { count: 3 })).toMatch(/^3 colleagues /);
  });
  it('write "1 minut" and "over 1 time" as well as "15 minutter" and "over 2 timer"', () => {
    expect(t('da', 'report.others', { count: 2, minutes: 1 })).toMatch(/de sidste 1 minut\.$/);
    expect(t('da', 'report.others', { count: 2, minutes: 15 })).toMatch(/de sidste 15 minutter\.$/);
    expect(t('en', 'report.others', { count: 2, minutes: 1 })).toMatch(/the last 1 minute\.$/);
    expect(t('da', 'escalation.title', { hours: '1' })).toMatch(/over 1 time:/);
    expect(t('da', 'escalation.title', { hours: '2' })).toMatch(/over 2 timer:/);
    expect(t('da', 'escalation.title', { hours: '0,5' })).toMatch(/over 0,5 timer:/);
    expect(t('en', 'escalation.title', { hours: '1' })).toMatch(/more than 1 hour:/);
  });
  const da = catalogue('da');
  const en = catalogue('en');
  it.each([...Object.entries(da), ...Object.entries(en)])('%s: no "(er)" or "(s)" for a plural', (_key, text) => {
    expect(text).not.toMatch(/\w\((?:e|er|r|s|es)\)/);
  });
  it('have the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(da).sort());
  });
  it.each(Object.keys(da))('%s: same placeholders in both, no empty text', (key) => {
    // Plain {name} and plural {name|one|many} placeholders alike.
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)(?:\|[^|{}]*\|[^|{}]*)?\}/g)].map((m) => m[1]).sort();
    const k = key as keyof typeof da;
    expect(da[k].trim()).not.toBe('');
    expect(en[k].trim()).not.toBe('');
    expect(placeholders(en[k])).toEqual(placeholders(da[k]));
  });

  /** The words a text tells people to write: the quoted phrases after "skriv" / "write". */
  const toWrite = (text: string): string[] => {
    const after = /\b(skriv|write)\b/i.exec(text);
    if (!after) return [];
    return [...text.slice(after.index).matchAll(/"([^"]+)"/g)].map((m) => (m[1] ?? '').replace('{system}', 'Nexus'));
  };
  it.each(LANGUAGES)('%s: every command a text tells people to write is one the bot understands, in that language', (lang) => {
    const named = Object.values(catalogue(lang)).flatMap(toWrite);
    expect(named.length).toBeGreaterThan(10);
    for (const phrase of named) {
      expect(recognize(phrase).kind, phrase).not.toMatch(/^(unknown|greeting)$/);
    }
    // The English texts name the English commands, the Danish ones the Danish (the language switch aside).
    const other = lang === 'da' ? ['contacts', 'opening hours', 'start over', 'help', 'follow outages', 'stop outages', 'channel', 'history'] : ['kontakter', 'åbningstider', 'forfra', 'hjælp', 'følg nedbrud', 'stop nedbrud', 'kanal', 'historik'];
    for (const phrase of other) expect(named).not.toContain(phrase);
    expect(named).toContain(lang === 'da' ? 'stop nedbrud' : 'stop outages');
  });
});
