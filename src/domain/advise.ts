import { addMinutes } from 'date-fns';
import type { ContactId, Instruction, Language, Text } from '../instruction/schema';
import type { OfficeHours } from './officeHours';
import { DOMAIN_TEXTS, fillText, type PlaceholderContext } from './text';
import type { CalledContact } from './outage';
import type { Advice, AdviceBranch, AdviceContact, AdviceRequest, AdviceSection, AdviceSectionKind, InternetState } from './types';

/**
 * The decision path of the instruction (READING.md "The decision path"): given
 * what the member of staff answered and the moment, whom to call and what to do.
 * Pure: the time comes in as `at`, the hours as an OfficeHours.
 */

export interface AdviseOptions {
  readonly lang?: Language | undefined;
  /** The 2-hour rule's delay; default the instruction's escalationAfterMinutes. */
  readonly escalationAfterMinutes?: number | undefined;
}

export function contactOf(instruction: Instruction, id: ContactId, lang: Language): AdviceContact {
  const c = instruction.contacts.find((x) => x.id === id);
  // The schema requires every contact id exactly once.
  if (!c) throw new Error(`the instruction has no contact "${id}"`);
  return { id: c.id, name: c.name[lang], phone: c.phone, email: c.email };
}

export function advise(instruction: Instruction, hours: OfficeHours, req: AdviceRequest, at: Date, opts: AdviseOptions = {}): Advice {
  const lang = opts.lang ?? 'da';
  const escalationAfter = opts.escalationAfterMinutes ?? instruction.escalationAfterMinutes;
  const start = req.start ?? at;
  const status = hours.status(at);
  const internet: InternetState | null = req.system === 'internet' ? 'down' : (req.internet ?? null);
  const nexus = req.system === 'nexus';
  const general = req.scope === 'general';
  // Only a general Nexus outage has the 2-hour rule (the Region's driftvagt).
  const escalateAt = general && nexus ? addMinutes(start, escalationAfter) : null;

  const ctx: PlaceholderContext = { instruction, lang, system: req.system, at, escalateAt, start, nextOpen: status.nextOpen };
  const s = instruction.steps;
  const fillAll = (texts: readonly Text[], more: Partial<PlaceholderContext> = {}): string[] => texts.map((t) => fillText(t, { ...ctx, ...more }));
  const contact = (id: ContactId): AdviceContact => contactOf(instruction, id, lang);
  const section = (kind: AdviceSectionKind, lines: readonly string[]): AdviceSection => ({ kind, lines });

  let branch: AdviceBranch;
  let who: AdviceContact | null;
  let alternatives: AdviceContact[] = [];
  let owner: Advice['owner'];
  let sections: AdviceSection[];

  if (!general) {
    // Just me: the superuser or the Nexusteam at the first opportunity, any system, any time.
    branch = 'individual';
    who = contact('superuser');
    alternatives = [contact('nexusteam')];
    owner = null;
    const steps = fillAll(s.individual);
    if (!status.open) {
      steps.push(fillText(status.nextOpen ? DOMAIN_TEXTS.nexusteamOpensAgain : DOMAIN_TEXTS.nexusteamClosed, ctx));
    }
    sections = [section('steps', steps)];
  } else if (status.open) {
    // In office hours the Nexusteam handles everything, also "the vendor says it is internal".
    branch = 'nexusteam';
    who = contact('nexusteam');
    owner = nexus ? 'nexusteam' : null;
    sections = [section('steps', fillAll(s.nexusteam))];
  } else {
    owner = nexus ? 'caller' : null;
    // Out of hours whoever calls KMD, Bekey or IT owns the case; for Nexus that
    // includes the 2-hour rule, whatever the cause (also when IT is the one called).
    const afterCalling = (called: CalledContact, before: readonly string[] = [], after: readonly string[] = []): AdviceSection =>
      section('afterCall', [...before, ...fillAll(s.ownership, { contact: called }), ...(nexus ? fillAll(s.twoHourRule) : []), ...after]);
    if (req.vendorSaysInternal === true && req.system !== 'internet') {
      branch = 'vendor-internal';
      who = contact('it');
      sections = [section('call', fillAll(s.it)), afterCalling('it')];
    } else if (internet === 'down') {
      branch = 'it';
      who = contact('it');
      sections = [section('call', fillAll(s.it)), afterCalling('it')];
    } else if (internet === null) {
      branch = 'check-internet';
      who = null;
      sections = [section('steps', fillAll(s.checkInternet)), section('either', fillAll(s.checkInternetWays))];
    } else if (nexus) {
      branch = 'kmd';
      who = contact('kmd');
      sections = [
        section('call', fillAll(s.kmd)),
        section('whileCalling', fillAll(s.kmdWhileCalling)),
        afterCalling('kmd', fillAll(s.kmdAfterCall), fillAll(s.vendorSaysInternal, { contact: 'kmd' })),
      ];
    } else {
      branch = 'bekey';
      who = contact('bekey');
      sections = [section('call', fillAll(s.bekey)), afterCalling('bekey', [], fillAll(s.vendorSaysInternal, { contact: 'bekey' }))];
    }
  }

  return {
    at,
    system: req.system,
    scope: req.scope,
    internet,
    nexusteamOpen: status.open,
    nexusteamClosesAt: status.closesAt,
    nexusteamNextOpen: status.open ? null : status.nextOpen,
    checkInternetFirst: branch === 'check-internet',
    contact: who,
    alternatives,
    owner,
    escalateAt,
    branch,
    steps: sections.flatMap((x) => x.lines),
    sections,
    worthKnowing: instruction.worthKnowing.filter((w) => w.appliesTo.includes(req.system)).map((w) => w.id),
  };
}
