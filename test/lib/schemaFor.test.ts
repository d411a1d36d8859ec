import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { schemaFor } from '../../src/lib/schemaFor';

interface Note {
  readonly id: string;
  readonly tags: readonly string[];
  readonly lang?: 'da' | 'en' | undefined;
}

describe('schemaFor', () => {
  it('returns the schema itself, which parses values of the type', () => {
    const inner = z.object({ id: z.string(), tags: z.array(z.string()).readonly(), lang: z.enum(['da', 'en']).optional() });
    const noteSchema = schemaFor<Note>()(inner);
    expect(noteSchema).toBe(inner);
    expect(noteSchema.parse({ id: 'a', tags: ['x'] })).toEqual({ id: 'a', tags: ['x'] });
  });

  it('does not compile for a schema that forgets a field or disagrees on one', () => {
    // @ts-expect-error: `lang` is missing from the schema
    schemaFor<Note>()(z.object({ id: z.string(), tags: z.array(z.string()).readonly() }));
    // @ts-expect-error: `lang` is optional in the type, required in the schema
    schemaFor<Note>()(z.object({ id: z.string(), tags: z.array(z.string()).readonly(), lang: z.enum(['da', 'en']) }));
    // @ts-expect-error: `id` is a number in the schema
    schemaFor<Note>()(z.object({ id: z.number(), tags: z.array(z.string()).readonly(), lang: z.enum(['da', 'en']).optional() }));
  });
});
