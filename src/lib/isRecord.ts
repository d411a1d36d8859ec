/**
 * A record: a non-null object that is not an array, whose keys may be read as
 * `value['key']`. Used where unknown input (an activity, an error, a parsed
 * JSON body, a stored document) is read field by field. Arrays are not records:
 * no caller wants to read named fields off one, and a stored document that
 * turned into an array is damaged.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
