/**
 * Teams-shaped inbound activities for HTTP tests, as Teams sends them to
 * /api/messages (personal chat by default), and a way to post them.
 */

export const TENANT_ID = 'tenant-test';
export const BOT = { id: '28:nedbrud-bot', name: 'Nedbrud' } as const;
export const PERSON = {
  id: '29:1test-person',
  name: 'Test Person',
  aadObjectId: '00000000-0000-4000-8000-000000000001',
} as const;

/** A fixed instant: tests never read the wall clock for their data. */
export const DEFAULT_TIMESTAMP = '2026-12-03T09:00:00.000Z';

export interface MessageOptions {
  /** The connector's url (startConnector().url). */
  readonly serviceUrl: string;
  readonly text?: string;
  /** A card submit's data (Action.Submit → message with value). */
  readonly value?: Record<string, unknown>;
  /** Default 'da-DK'. */
  readonly locale?: string;
  readonly from?: { readonly id: string; readonly name: string; readonly aadObjectId?: string };
  /** Default a personal conversation id with ':' (Teams style). */
  readonly conversationId?: string;
  readonly conversationType?: 'personal' | 'channel' | 'groupChat';
  readonly tenantId?: string;
  readonly id?: string;
  readonly timestamp?: string;
  /** For channel messages: channelData.team / channel. */
  readonly channelData?: Record<string, unknown>;
}

let sequence = 0;

/** A message in a 1:1 chat (or another conversation type), with text or a card's value. */
export function messageActivity(opts: MessageOptions) {
  sequence += 1;
  const tenantId = opts.tenantId ?? TENANT_ID;
  const from = opts.from ?? PERSON;
  const conversationType = opts.conversationType ?? 'personal';
  return {
    type: 'message',
    id: opts.id ?? `1700000000${String(sequence).padStart(3, '0')}`,
    timestamp: opts.timestamp ?? DEFAULT_TIMESTAMP,
    localTimestamp: opts.timestamp ?? DEFAULT_TIMESTAMP,
    channelId: 'msteams',
    serviceUrl: opts.serviceUrl,
    from: { ...from, role: 'user' },
    conversation: {
      id: opts.conversationId ?? `a:1personal-${sequence}`,
      conversationType,
      tenantId,
      isGroup: conversationType !== 'personal',
    },
    recipient: { ...BOT, role: 'bot' },
    channelData: { tenant: { id: tenantId }, ...(opts.channelData ?? {}) },
    locale: opts.locale ?? 'da-DK',
    textFormat: 'plain',
    ...(opts.text !== undefined ? { text: opts.text } : {}),
    ...(opts.value !== undefined ? { value: opts.value } : {}),
    entities: [{ type: 'clientInfo', locale: opts.locale ?? 'da-DK', country: 'DK', platform: 'Android' }],
  };
}

export interface PostResult {
  readonly status: number;
  readonly text: string;
}

/** POSTs an activity (or any body) to appUrl/api/messages; resolves once the app has answered. */
export async function postActivity(appUrl: string, activity: unknown, headers: Record<string, string> = {}): Promise<PostResult> {
  const body = typeof activity === 'string' ? activity : JSON.stringify(activity);
  const res = await fetch(`${appUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body,
  });
  return { status: res.status, text: await res.text() };
}
