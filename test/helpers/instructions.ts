import { resolve } from 'node:path';
import { loadInstruction } from '../../src/instruction/load';

/**
 * The instructions the rule tests run on (test/fixtures/README.md): a frozen copy
 * of Brøndby's, so that a change in Brøndby's live data (its hours, a number) does
 * not break the tests of the rules, and Fjordby's, an imagined second municipality
 * with other hours and closures, another door-lock vendor and a fourth system.
 * Brøndby's bundled data has its own test (test/domain/instruction.test.ts).
 */
export const BRONDBY_FILE = resolve(__dirname, '..', 'fixtures', 'brondby.json');
export const FJORDBY_FILE = resolve(__dirname, '..', 'fixtures', 'fjordby.json');

export const brondby = loadInstruction(BRONDBY_FILE);
export const fjordby = loadInstruction(FJORDBY_FILE);
