import type { z } from 'zod';

type KeysOf<T> = T extends unknown ? keyof T : never;

/** `unknown` when S is exactly the form of T (see schemaFor), else `never`. */
type Fits<T, S extends z.ZodType> = [T] extends [z.input<S>] ? ([Exclude<KeysOf<T>, KeysOf<z.input<S>>>] extends [never] ? unknown : never) : never;

/**
 * A zod schema for a type written by hand (an interface with its comments),
 * checked by the compiler in both directions: what the schema gives is a `T`,
 * every `T` passes the schema, and every field of `T` is named in it. A field
 * added to the type and not to the schema, or made optional in one only, fails
 * to compile here ("not assignable to parameter of type 'never'") instead of
 * being dropped from stored documents on the next write.
 *
 *     export const personSchema = schemaFor<Person>()(z.object({ … }));
 *
 * Nested object schemas are checked where they are declared with schemaFor too.
 */
export function schemaFor<T>() {
  return <S extends z.ZodType<T>>(schema: S & Fits<T, S>): S => schema;
}
