import { addMinutes } from 'date-fns';
import type { ContactId, Instruction, Language, Text } from '../instruction/schema';
import type { OfficeHours } from './officeHours';
import { DOMAIN_TEXTS, fillText, type PlaceholderContext } from './text';
import { findSystem } from './systems';
import type { Advice, AdviceContact, AdviceKind, AdviceRequest, AdviceSection, AdviceSectionKind, InternetState } from './types';

/**
 * The decision path of the instruction (READING.md "The decision path"): given
 * what the member of staff answered and the moment, whom to call and what to do.
 * Pure: the time comes in as `at`, the hours as an OfficeHours.
 */

export interface AdviseOptions {
  readonly lang?: Language | undefined;
}

export function contactOf(instruction: Instruction, id: ContactId, lang: Language): AdviceContact {
  const c = instruction.contacts.find((x) => x.id === id);
  // The schema requires the role contacts exactly once, and every system's contact to exist.
  if (!c) throw new Error(`the instruction has no contact "${id}"`);
  return { id: c.id, name: c.name[lang], phone: c.phone, email: c.email };
}

/**
 * The advice for one system of the instruction. Every branch is decided from the
 * system's data (its out-of-hours contact, whether the Internet is checked first,
 * whether the 2-hour rule applies): there is no system the code knows by name.
 */
export function advise(instruction: Instruction, hours: OfficeHours, req: AdviceRequest, at: Date, opts: AdviseOptions = {}): Advice {
  const lang = opts.lang ?? 'da';
  const system = findSystem(instruction, req.system);
  if (!system) throw new UnknownSystemError(req.system, instruction);
  const start = req.start ?? at;
  const status = hours.status(at);
  // The Internet itself (no out-of-hours vendor): when it fails, the Internet is down.
  const vendor = system.outOfHours;
  const internet: InternetState | null = vendor === null ? 'down' : (req.internet ?? null);
  const rule = system.twoHourRule;
  const general = req.scope === 'general';
  // Only a general outage of a system with the 2-hour rule has it (the Region's driftvagt).
  const escalateAt = general && rule ? addMinutes(start, rule.afterMinutes) : null;

  const ctx: PlaceholderContext = { instruction, lang, system: req.system, at, escalateAt, start, nextOpen: status.nextOpen };
  const s = instruction.steps;
  const fillAll = (texts: readonly Text[], more: Partial<PlaceholderContext> = {}): string[] => texts.map((t) => fillText(t, { ...ctx, ...more }));
  const contact = (id: ContactId): AdviceContact => contactOf(instruction, id, lang);
  const section = (kind: AdviceSectionKind, lines: readonly string[]): AdviceSection => ({ kind, lines });

  let kind: AdviceKind;
  let who: AdviceContact | null;
  let alternatives: AdviceContact[] = [];
  let owner: Advice['owner'];
  let sections: AdviceSection[];

  if (!general) {
    // Just me: the superuser or the Nexusteam at the first opportunity, any system, any time.
    kind = 'individual';
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
    kind = 'nexusteam';
    who = contact('nexusteam');
    owner = rule ? 'nexusteam' : null;
    sections = [section('steps', fillAll(s.nexusteam))];
  } else {
    owner = rule ? 'caller' : null;
    // Out of hours whoever calls the vendor or IT owns the case; where the 2-hour rule
    // applies that includes it, whatever the cause (also when IT is the one called).
    const afterCalling = (called: ContactId, before: readonly string[] = [], after: readonly string[] = []): AdviceSection =>
      section('afterCall', [...before, ...fillAll(s.ownership, { contact: called }), ...(rule ? fillAll(s.twoHourRule) : []), ...after]);
    if (req.vendorSaysInternal === true && vendor !== null) {
      kind = 'vendor-internal';
      who = contact('it');
      sections = [section('call', fillAll(s.it)), afterCalling('it')];
    } else if (internet === 'down' || vendor === null) {
      kind = 'it';
      who = contact('it');
      sections = [section('call', fillAll(s.it)), afterCalling('it')];
    } else if (internet === null && system.checkInternetFirst) {
      kind = 'check-internet';
      who = null;
      sections = [section('steps', fillAll(s.checkInternet)), section('either', fillAll(s.checkInternetWays))];
    } else {
      kind = 'vendor';
      who = contact(vendor.contact);
      const saysInternal = vendor.contact === 'it' ? [] : fillAll(s.vendorSaysInternal, { contact: vendor.contact });
      sections = [
        section('call', fillAll(vendor.call)),
        ...(vendor.whileCalling.length > 0 ? [section('whileCalling', fillAll(vendor.whileCalling))] : []),
        afterCalling(vendor.contact, fillAll(vendor.afterCall), saysInternal),
      ];
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
    checkInternetFirst: kind === 'check-internet',
    contact: who,
    alternatives,
    owner,
    escalateAt,
    kind,
    // A vendor's branch is named by the vendor ("kmd", "bekey"), as the admin CLI has always said it.
    branch: kind === 'vendor' && who ? who.id : kind,
    steps: sections.flatMap((x) => x.lines),
    sections,
    worthKnowing: system.worthKnowing,
  };
}

/** A system the instruction does not have (a stale button, a typo on the command line). */
export class UnknownSystemError extends Error {
  override name = 'UnknownSystemError';
  constructor(system: string, instruction: Instruction) {
    super(`unknown system "${system}"; the instruction has ${instruction.systems.map((s) => s.id).join(', ')}`);
  }
}
