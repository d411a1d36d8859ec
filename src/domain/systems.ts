import type { ContactId, Instruction, Language, System, SystemId } from '../instruction/schema';

/**
 * A system is data (the instruction's `systems`): its names, the words staff use
 * for it, whom to call out of hours, whether the Internet is checked first,
 * whether the 2-hour rule applies and after how long, and what is worth knowing.
 * These are the only questions code asks about a system.
 */

/** The system of this id in the instruction, or undefined (a stored outage of a system the instruction no longer has). */
export function findSystem(instruction: Instruction, id: SystemId): System | undefined {
  return instruction.systems.find((s) => s.id === id);
}

export function isSystem(instruction: Instruction, id: unknown): id is SystemId {
  return typeof id === 'string' && instruction.systems.some((s) => s.id === id);
}

/** In a sentence ("Nexus", "internettet"); the id for a system the instruction does not have. */
export function systemName(instruction: Instruction, id: SystemId, lang: Language): string {
  return findSystem(instruction, id)?.name[lang] ?? id;
}

/** At the start of a sentence or as a title ("Internettet"). */
export function systemTitle(instruction: Instruction, id: SystemId, lang: Language): string {
  return findSystem(instruction, id)?.title[lang] ?? id;
}

/** The system meant when none is named ("meld nedbrud", "virker igen"): the instruction's first (Nexus). */
export function defaultSystem(instruction: Instruction): SystemId {
  return instruction.systems[0]?.id ?? '';
}

/** The 2-hour rule's delay for outages of this system, or null where it does not apply. */
export function escalationAfter(instruction: Instruction, id: SystemId): number | null {
  return findSystem(instruction, id)?.twoHourRule?.afterMinutes ?? null;
}

/** Whom staff call first about this system out of hours: its vendor, or IT for the Internet itself. */
export function outOfHoursContact(system: System): ContactId {
  return system.outOfHours?.contact ?? 'it';
}

/**
 * The system a contact serves out of hours ("kmd" → Nexus), or undefined for IT
 * and any contact no system names.
 */
export function systemOfContact(instruction: Instruction, contact: ContactId): System | undefined {
  return instruction.systems.find((s) => s.outOfHours?.contact === contact);
}

/**
 * The instruction with another delay for every 2-hour rule in it: the one
 * override (ESCALATION_AFTER_MINUTES, for training), applied once at start so
 * everything after reads one source.
 */
export function withEscalationAfter(instruction: Instruction, minutes: number): Instruction {
  return {
    ...instruction,
    systems: instruction.systems.map((s) => (s.twoHourRule ? { ...s, twoHourRule: { afterMinutes: minutes } } : s)),
  };
}
