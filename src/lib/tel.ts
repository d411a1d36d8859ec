/**
 * The `tel:` URI of a phone number of the instruction ("44605040", "+4544605040",
 * or with spaces as people write them): spaces removed, Denmark's +45 added to a
 * number without a country code. Cards and mail both link with it.
 */
export function telUri(phone: string): string {
  const compact = phone.replace(/\s+/g, '');
  return `tel:${compact.startsWith('+') ? compact : `+45${compact}`}`;
}
