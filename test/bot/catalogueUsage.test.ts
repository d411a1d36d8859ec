import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../src/bot/i18n';

/*
 * Every text in the catalogues is said somewhere: a key is used when src/ names it
 * as a string ('outage.gone') or builds it from a prefix (`channel.role.${role}`).
 * knip finds dead exports but not dead keys of an object, so this does. (That
 * da.ts and en.ts have the same keys is checked in cards.test.ts.)
 */

const SRC = path.resolve(__dirname, '..', '..', 'src');
const CATALOGUES = path.join(SRC, 'bot', 'i18n');

function sources(): string[] {
  return fs
    .readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(SRC, f))
    .filter((f) => f.endsWith('.ts') && !f.startsWith(CATALOGUES + path.sep))
    .map((f) => fs.readFileSync(f, 'utf8'));
}

/** Whether src/ names the key as a string ('a.b', "a.b", `a.b`) or builds it from a prefix (`a.b.${…}`). */
function usedIn(texts: readonly string[]): (key: string) => boolean {
  const all = texts.join('\n');
  const prefixes = new Set([...all.matchAll(/`([A-Za-z][\w-]*(?:\.[\w-]+)*\.)\$\{/g)].map((m) => m[1]!));
  return (key) => ["'", '"', '`'].some((q) => all.includes(`${q}${key}${q}`)) || [...prefixes].some((p) => key.startsWith(p));
}

describe('language catalogues', () => {
  const used = usedIn(sources());

  it('finds keys both ways (the scan itself works)', () => {
    expect(used('outage.gone')).toBe(true);
    expect(used('channel.role.staff')).toBe(true);
    expect(used('no.such.key')).toBe(false);
  });

  it('have no key that src/ never uses', () => {
    expect(Object.keys(catalogue('da')).filter((key) => !used(key))).toEqual([]);
  });
});
