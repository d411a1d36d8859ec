import { advise } from '../domain/advise';
import { type Clock, systemClock } from '../domain/clock';
import { OfficeHours } from '../domain/officeHours';
import type { Advice, AdviceContact } from '../domain/types';
import { loadInstruction } from '../instruction/load';
import { LANGUAGES } from '../instruction/schema';
import { type CommandOutput, oneOf, parseInstant, parseStrict, required, runCommand, UsageError } from './args';

/**
 * Admin CLI: the advice a member of staff would get at a moment (DESIGN.md "Admin
 * CLI contract"). A composition root: it may read the clock and INSTRUCTION_FILE.
 *
 *   npm run --silent advise -- --system nexus --scope general --internet up --at 2026-12-05T10:00
 */

export const ADVISE_USAGE = `Usage: npm run --silent advise -- --system nexus|bekey|internet --scope individual|general
         [--internet up|down] [--vendor-says-internal] [--at ISO-8601] [--start ISO-8601] [--lang da|en]

  --at     the moment to advise for; without Z or an offset it is Copenhagen time (default: now)
  --start  when the outage started, for the 2-hour rule (default: --at)
  --system  one of the instruction's systems (Brøndby's: nexus, bekey, internet)
  --internet is ignored for --system internet (the Internet is what is down)
Prints one JSON document. Exit code 2 for a bad argument.
`;

const SCOPES = ['individual', 'general'] as const;
const INTERNET = ['up', 'down'] as const;

export function adviseCommand(args: string[], env: { readonly INSTRUCTION_FILE?: string | undefined }, clock: Clock): CommandOutput {
  const { values } = parseStrict({
    args,
    options: {
      system: { type: 'string' },
      scope: { type: 'string' },
      internet: { type: 'string' },
      'vendor-says-internal': { type: 'boolean' },
      at: { type: 'string' },
      start: { type: 'string' },
      lang: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return { text: ADVISE_USAGE };

  const instruction = loadInstruction(env.INSTRUCTION_FILE);
  // The systems are the instruction's (Brøndby: nexus, bekey, internet).
  const systems = instruction.systems.map((s) => s.id);
  const system = required('system', oneOf('system', values.system, systems), systems.join('|'));
  const scope = required('scope', oneOf('scope', values.scope, SCOPES), SCOPES.join('|'));
  const internet = oneOf('internet', values.internet, INTERNET);
  const lang = oneOf('lang', values.lang, LANGUAGES) ?? 'da';
  const at = values.at === undefined ? clock.now() : parseInstant('at', values.at);
  const start = values.start === undefined ? undefined : parseInstant('start', values.start);
  if (start !== undefined && start > at) {
    throw new UsageError(`--start (${start.toISOString()}) is after --at (${at.toISOString()})`);
  }

  const hours = new OfficeHours(instruction, [], lang);
  const advice = advise(
    instruction,
    hours,
    // The Internet itself (no out-of-hours vendor) is down whatever --internet says.
    { system, scope, internet, vendorSaysInternal: values['vendor-says-internal'] === true, start },
    at,
    { lang },
  );
  return { json: toJson(advice) };
}

function contactJson(c: AdviceContact): { id: string; name: string; phone: string | null; email: string | null } {
  return { id: c.id, name: c.name, phone: c.phone, email: c.email };
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** The contract's JSON, fields in the contract's order, then the additions. */
export function toJson(a: Advice): Record<string, unknown> {
  return {
    at: a.at.toISOString(),
    system: a.system,
    scope: a.scope,
    internet: a.internet,
    nexusteamOpen: a.nexusteamOpen,
    nexusteamClosesAt: iso(a.nexusteamClosesAt),
    nexusteamNextOpen: iso(a.nexusteamNextOpen),
    checkInternetFirst: a.checkInternetFirst,
    contact: a.contact === null ? null : contactJson(a.contact),
    alternatives: a.alternatives.map(contactJson),
    owner: a.owner,
    escalateAt: iso(a.escalateAt),
    branch: a.branch,
    steps: a.steps,
    worthKnowing: a.worthKnowing,
  };
}

if (require.main === module) {
  runCommand('advise', () => adviseCommand(process.argv.slice(2), { INSTRUCTION_FILE: process.env.INSTRUCTION_FILE }, systemClock));
}
