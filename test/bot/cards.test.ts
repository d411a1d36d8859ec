import { describe, expect, it } from 'vitest';
import { advise } from '../../src/domain/advise';
import { OfficeHours } from '../../src/domain/officeHours';
import type { AdviceRequest } from '../../src/domain/types';
import { catalogue, t } from '../../src/bot/i18n';
import { recognizerFor } from '../../src/domain/intent';
import type { ViewContext } from '../../src/bot/views';
import { definedCards, type Card } from '../../src/bot/cards';
import { CARDS, type CardArgs, type CardName } from '../../src/bot/cardRegistry';
import '../../src/bot/nedbrudBot';
import '../../src/bot/render';
import { LANGUAGES, type Language } from '../../src/instruction/schema';
import { cardProblems } from '../helpers/cards';
import { addUpdate, claimDuty, claimOwnership, declare, newOutage, resolve } from '../../src/domain/outage';
import { instruction, MONDAY_MORNING, SATURDAY_EVENING } from '../helpers/bot';
import { posterContent } from '../../src/domain/poster';

const { recognize } = recognizerFor(instruction.systems);

/** Representative arguments for one card of the registry, named for the test's report. */
type Example<K extends CardName> = readonly [label: string, args: CardArgs<K>];
/** Every card of the registry needs examples: a card added there without them does not compile. */
type Examples = { readonly [K in CardName]: readonly Example<K>[] };

/** The examples of every card, in one language at one moment. */
function examples(lang: Language, at: string): Examples {
  const now = new Date(at);
  const ctx: ViewContext = { lang, instruction, now, hours: new OfficeHours(instruction, [], lang) };
  const requests: AdviceRequest[] = [];
  for (const { id: system } of instruction.systems) {
    requests.push({ system, scope: 'individual' }, { system, scope: 'general' });
    requests.push({ system, scope: 'general', internet: 'up' }, { system, scope: 'general', internet: 'down' });
    requests.push({ system, scope: 'general', internet: 'up', vendorSaysInternal: true });
  }
  const advice = requests.map((req) => advise(instruction, ctx.hours, req, now, { lang }));

  const who = { key: 'k1', name: 'Anna Hansen' };
  const suspected = newOutage({ id: 'o1', system: 'nexus', status: 'suspected', start: now, at: now, reports: [{ person: who, at: now.toISOString() }] });
  const ownedResult = claimOwnership(suspected, who, now, 'it');
  const owned = ownedResult.ok ? ownedResult.outage : suspected;
  const declared = addUpdate(declare(suspected, { description: 'Nexus svarer ikke', start: now, expected: 'kl. 12', by: who, at: now }), {
    id: 'u1',
    at: now.toISOString(),
    by: who,
    text: 'KMD arbejder på det',
  });
  const resolved = resolve(declared, who, now);
  const known = { lang, now, instruction, afterMinutes: 120, reporters: 3 };
  const escalation = { instruction, lang, now, afterMinutes: 120 };

  return {
    welcome: [[`welcome ${lang}`, [lang, instruction]]],
    question: (['system', 'scope', 'internet'] as const).map((kind) => [`question ${kind} ${lang}`, [kind, { action: 'triage', system: 'nexus', scope: 'general' }, ctx, ['a', 'b']]]),
    advice: advice.map((a) => [`advice ${a.branch} ${a.system} ${lang} ${at}`, [a, ctx]]),
    worthKnowing: instruction.systems.map((s) => [`worth ${s.id} ${lang}`, [instruction.worthKnowing.filter((w) => s.worthKnowing.includes(w.id)), lang]]),
    contacts: [[`contacts ${lang} ${at}`, [ctx]]],
    hours: [[`hours ${lang} ${at}`, [ctx, '2026-12-21', 14]]],
    notice: [[`notice ${lang}`, ['Titel', ['linje 1', 'linje 2'], [{ title: 'Hjælp', data: { action: 'help' } }], [{ title: 'Mail', url: 'mailto:a@example.org' }]]]],
    review: [[`review ${lang}`, [instruction]]],
    announcement: [
      [`announcement ${lang}`, [declared, instruction, lang, now]],
      [`announcement owned by an IT caller ${lang}`, [owned, instruction, lang, now, { afterMinutes: 120 }]],
      [`announcement for providers ${lang}`, [owned, instruction, lang, now, { afterMinutes: 120, audience: 'providers' }]],
      [`announcement resolved ${lang}`, [resolved, instruction, lang, now]],
    ],
    knownOutage: [
      [`known suspected ${lang}`, [suspected, { ...known, nexusteamOpen: false }]],
      [`known suspected, Nexusteam told ${lang}`, [{ ...suspected, nexusteamTold: now.toISOString() }, { ...known, nexusteamOpen: true }]],
      [`known owned ${lang}`, [owned, { ...known, nexusteamOpen: false }]],
      [`known active ${lang}`, [declared, { ...known, nexusteamOpen: true }]],
      [`known active, Nexusteam closed ${lang}`, [declared, { ...known, nexusteamOpen: false }]],
      [`known, no 2-hour rule ${lang}`, [{ ...declared, system: 'bekey' }, { ...known, afterMinutes: null, nexusteamOpen: false }]],
    ],
    suspected: [
      [`suspected ${lang}`, [suspected, { lang, now, instruction }, 'submit-1']],
      [`suspected, confirmed ${lang}`, [suspected, { lang, now, instruction }, 'submit-1', { name: who.name, at: now }, 3]],
    ],
    status: [[`status ${lang}`, [[declared, suspected], ctx, new Map([['o1', 3]])]]],
    declareForm: [[`declare form ${lang}`, [{ system: 'nexus', description: '', sinceDate: '2026-12-07', sinceTime: '08:40', expected: '' }, ctx, 'submit-2', 'fejl']]],
    updateForm: [[`update form ${lang}`, [[declared], ctx, 'submit-3']]],
    resolveMenu: [[`resolve menu ${lang}`, [[declared], ctx, 'submit-4']]],
    escalation: [
      [`escalation ${lang}`, [declared, 0, escalation]],
      [`escalation repeat ${lang}`, [declared, 3, escalation]],
      [`escalation in the channel, unconfirmed ${lang}`, [suspected, 0, { ...escalation, forChannel: true, claimsSent: 3 }]],
    ],
    claim: [
      [`claim ${lang}`, [suspected, 0, escalation]],
      [`claim repeat ${lang}`, [suspected, 2, escalation]],
      [`claim taken ${lang}`, [claimDuty(suspected, who, now).outage, 0, escalation]],
    ],
    backUp: [[`back-up ${lang}`, [declared, { instruction, lang, now }]]],
    handoverOffer: [[`hand-over offer ${lang}`, [declared, { instruction, lang, now }]]],
    channel: [[`channel ${lang}`, [lang, ['staff', 'homecare'], [{ text: 'Ældreplejen / Personale: personale' }]]]],
    closedForm: [
      [`closed form ${lang}`, [ctx, [{ id: 'c1', from: '2026-12-07', closedFrom: '12:00', reason: { da: 'Kursus', en: 'Course' }, addedBy: 'k1' }], 'fejl']],
      [`closed form, none ${lang}`, [ctx, [], '']],
    ],
    poster: [[`poster ${lang} ${at}`, [posterContent(instruction, ctx.hours, now, { lang })]]],
  };
}

type Renderers = { readonly [K in CardName]: (...args: CardArgs<K>) => Card };
const renderers: Renderers = CARDS;
const render = <K extends CardName>(name: K, list: readonly Example<K>[]): [string, Card][] => list.map(([label, args]) => [label, renderers[name](...args)]);

/** Every card of the registry, rendered with its examples, in both languages at two moments. */
function everyCard(): [string, Card][] {
  const cards: [string, Card][] = [];
  for (const lang of LANGUAGES) {
    for (const at of [SATURDAY_EVENING, MONDAY_MORNING]) {
      const all = examples(lang, at);
      for (const name of Object.keys(CARDS) as CardName[]) cards.push(...render(name, all[name]));
    }
  }
  return cards;
}

describe('every card the bot can send', () => {
  const cards = everyCard();
  it('is in the registry: every card defined is listed there (and so rendered below)', () => {
    const registered = new Set<unknown>(Object.values(CARDS));
    expect(definedCards().size).toBeGreaterThanOrEqual(registered.size);
    for (const card of definedCards()) expect(registered.has(card), `a card of template ${card.template}`).toBe(true);
  });
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
