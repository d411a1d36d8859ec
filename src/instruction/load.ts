import { readFileSync } from 'node:fs';
import { z } from 'zod';
import bundled from './brondby.json';
import { type Instruction, instructionSchema } from './schema';

/** Raised when an instruction file cannot be used; the message names the field. */
export class InstructionError extends Error {
  override name = 'InstructionError';
}

/** Human-readable list of zod issues: "officeHours.weekly.monday[0].from: expected a local time HH:MM". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path
        .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
        .join('');
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}

export function parseInstruction(data: unknown, source = 'instruction'): Instruction {
  const result = instructionSchema.safeParse(data);
  if (!result.success) {
    throw new InstructionError(`${source} is invalid: ${describeIssues(result.error)}`);
  }
  return result.data;
}

/** The bundled Brøndby instruction, or the file at `path` (INSTRUCTION_FILE). */
export function loadInstruction(path?: string): Instruction {
  if (!path) return parseInstruction(bundled, 'the bundled instruction');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InstructionError(`INSTRUCTION_FILE ${path} cannot be read: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InstructionError(`INSTRUCTION_FILE ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseInstruction(data, `INSTRUCTION_FILE ${path}`);
}
