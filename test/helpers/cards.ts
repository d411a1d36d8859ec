import * as AC from 'adaptivecards';

/** The smallest card limit among Teams' posting routes (DESIGN.md ruling). */
export const MAX_CARD_BYTES = 28 * 1024;

/**
 * Everything wrong with a card as Teams would see it: parse events from the
 * adaptivecards object model (unknown elements or actions), a version above 1.5,
 * a size over the limit, or an unexpanded template expression.
 */
export function cardProblems(card: unknown): string[] {
  const problems: string[] = [];
  const json = JSON.stringify(card);
  if (json.includes('${')) problems.push('unexpanded ${…} in the card');
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_CARD_BYTES) problems.push(`card is ${bytes} bytes, over ${MAX_CARD_BYTES}`);
  const version = (card as { version?: unknown }).version;
  if (typeof version !== 'string' || !/^1\.[0-5]$/.test(version)) problems.push(`version ${String(version)} is not ≤ 1.5`);
  const parsed = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  parsed.parse(card, ctx);
  for (let i = 0; i < ctx.eventCount; i++) {
    const event = ctx.getEventAt(i);
    problems.push(`parse event ${event.event}: ${event.message}`);
  }
  return problems;
}

/** All visible text of a card, joined: what a person reads. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (typeof o['text'] === 'string') out.push(o['text']);
      if (typeof o['title'] === 'string') out.push(o['title']);
      for (const [k, v] of Object.entries(o)) if (k !== 'data') walk(v);
    }
  };
  walk(card);
  return out.join('\n');
}

/** The buttons of a card: title and the data that comes back as the activity's value. */
export function cardButtons(card: unknown): { title: string; data: Record<string, unknown> }[] {
  const actions = (card as { actions?: unknown[] }).actions ?? [];
  return actions.map((a) => {
    const o = a as { title?: string; data?: Record<string, unknown> };
    return { title: o.title ?? '', data: o.data ?? {} };
  });
}
