import { describe, expect, it } from 'vitest';
import { choose, classify, INDIVIDUAL, REPORTS_IN_HOURS, REPORTS_OUT_OF_HOURS, type ButtonData } from '../../bench/walks';

/**
 * The bench's walker reads the bot's cards by their buttons' data, never their
 * texts (being reworded). Cards here carry made-up titles on purpose.
 */

function reply(buttons: ButtonData[], extra: { text?: string; body?: unknown[] } = {}): string {
  const card = { type: 'AdaptiveCard', version: '1.5', body: extra.body ?? [{ type: 'TextBlock', text: 'whatever it says today' }], actions: buttons.map((data, i) => ({ type: 'Action.Submit', title: `button ${i}`, data })) };
  return JSON.stringify({ type: 'message', ...(extra.text ? { text: extra.text } : {}), attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] });
}

const scope = reply([
  { action: 'triage', system: 'nexus', scope: 'general' },
  { action: 'triage', system: 'nexus', scope: 'individual' },
]);
const internet = reply([
  { action: 'triage', system: 'nexus', scope: 'general', internet: 'up' },
  { action: 'triage', system: 'nexus', scope: 'general', internet: 'down' },
]);
const knownWayOn = reply([
  { action: 'triage', system: 'nexus', skipKnown: true },
  { action: 'worksAgain', system: 'nexus' },
]);
const knownNoWayOn = reply([{ action: 'worksAgain', system: 'nexus' }]);
const kmdCard = reply(
  [
    { action: 'called', system: 'nexus', contact: 'kmd' },
    { action: 'triage', system: 'nexus', scope: 'general', internet: 'up', vendorSaysInternal: true },
    { action: 'restart' },
  ],
  { body: [{ type: 'TextBlock', text: '[Ring: 4460 5040](tel:+4544605040)' }] },
);
const oldKmdCard = reply([{ action: 'calledKmd', system: 'nexus' }, { action: 'restart' }]);
const nexusteamCard = reply([{ action: 'restart' }], { body: [{ type: 'TextBlock', text: '[Ring: 4328 2020](tel:+4543282020)' }] });
const ownAdvice = reply([{ action: 'restart' }]);

describe('the bench walker reads cards by their data', () => {
  it.each([
    ['scope question', [scope], 'scope', undefined],
    ['Internet question', [internet], 'internet', undefined],
    ['known outage with "Hvem skal jeg ringe til?"', [knownWayOn, reply([])], 'continue', undefined],
    ['known outage, no way on', [knownNoWayOn], 'known', undefined],
    ['KMD card (called, contact kmd)', [kmdCard, reply([])], 'kmd', undefined],
    ['KMD card of the older verb', [oldKmdCard], 'kmd', undefined],
    ['Nexusteam card', [nexusteamCard], 'advice', 'nexusteam'],
    ['advice without a number', [ownAdvice], 'advice', undefined],
    ['nothing', [], 'noReply', undefined],
    ['the floor', [JSON.stringify({ type: 'message', text: 'echo 1: Nexus er nede' })], 'echo', undefined],
  ])('%s', (_name, bodies, kind, contact) => {
    const step = classify(bodies);
    expect(step.kind).toBe(kind);
    expect(step.contact).toBe(contact);
  });

  it('presses the button whose data answers, as the card gives it', () => {
    expect(choose(classify([scope]), REPORTS_OUT_OF_HOURS)).toEqual({ action: 'triage', system: 'nexus', scope: 'general' });
    expect(choose(classify([scope]), INDIVIDUAL)).toEqual({ action: 'triage', system: 'nexus', scope: 'individual' });
    expect(choose(classify([internet]), REPORTS_OUT_OF_HOURS)).toEqual({ action: 'triage', system: 'nexus', scope: 'general', internet: 'up' });
    expect(choose(classify([knownWayOn]), REPORTS_OUT_OF_HOURS)).toEqual({ action: 'triage', system: 'nexus', skipKnown: true });
  });

  it('knows where each walk ends', () => {
    expect(REPORTS_OUT_OF_HOURS.done(classify([kmdCard]))).toBe(true);
    expect(REPORTS_OUT_OF_HOURS.done(classify([knownWayOn]))).toBe(false);
    expect(REPORTS_IN_HOURS.done(classify([nexusteamCard]))).toBe(true);
    expect(REPORTS_IN_HOURS.done(classify([knownNoWayOn]))).toBe(true);
    expect(INDIVIDUAL.done(classify([ownAdvice]))).toBe(true);
  });
});
