import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config';
import { maskCpr } from './domain/cpr';
import { isRecord } from './lib/isRecord';

export type { Logger };

/**
 * The one logger: pino, JSON lines to stdout (or an injected destination in tests).
 *
 * Privacy (DESIGN.md, "Privacy and safety"): every string that reaches a log line
 * is passed through maskCpr: every string field of the merging object, recursively,
 * keys included (formatters.log), the root bindings (formatters.bindings), and,
 * as a last step, every JSON string in the finished line (hooks.streamWrite: the
 * message, child bindings, which pino never passes to a formatter). Errors are reduced to
 * type, message, stack, code and status (an HTTP error object of the connector
 * carries the request with its bearer token). Fields named like secrets are
 * replaced by "[redacted]". Still: log ids, types and lengths, not users' texts;
 * redactActivity gives the summary of an activity to log.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name: 'nedbrud',
    level: config.logLevel,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => maskObject(bindings),
      log: (object) => maskObject(object),
    },
    // Errors are already reduced to plain objects by formatters.log; this only
    // catches an Error that reaches a serializer some other way.
    serializers: { err: serializeError, error: serializeError },
    hooks: {
      // The last line of defence: strings pino writes without passing them through
      // formatters.log (child bindings, the message taken from an Error). Only
      // JSON string literals are touched, so numbers and the line's shape stay.
      streamWrite: maskJsonStrings,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

const SECRET_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|password|appPassword|MicrosoftAppPassword|clientSecret|client_secret|secret|token|access_token|refresh_token|id_token|connectionString|BLOB_CONNECTION_STRING|SMTP_URL|smtpUrl)$/i;
const MAX_DEPTH = 8;

function maskString(s: string): string {
  return maskCpr(s).text;
}

const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/** Masks CPR-like numbers inside the JSON string literals of a finished log line. */
export function maskJsonStrings(line: string): string {
  return line.replace(JSON_STRING, (literal) => maskString(literal));
}

function maskObject(object: Record<string, unknown>): Record<string, unknown> {
  const out = maskValue(object);
  return isRecord(out) ? out : { value: out };
}

/** A copy of the value with every string CPR-masked; cycles and depth are cut. */
export function maskValue(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return maskString(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Object]';
  seen.add(value);
  try {
    if (value instanceof Error) return maskValue(errorSummary(value), depth, seen);
    if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
    if (Array.isArray(value)) return value.map((v) => maskValue(v, depth + 1, seen));
    if (value instanceof Map) return maskValue(Object.fromEntries(value), depth, seen);
    if (value instanceof Set) return maskValue([...value], depth, seen);
    const toJSON: unknown = 'toJSON' in value ? value.toJSON : undefined;
    if (typeof toJSON === 'function') {
      const json: unknown = toJSON.call(value);
      if (json !== value) return maskValue(json, depth + 1, seen);
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      out[maskString(key)] = SECRET_KEY.test(key) && v !== undefined && v !== null && v !== '' ? '[redacted]' : maskValue(v, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** Type, message and stack (with causes), and the code/status fields that help; nothing else. */
function errorSummary(err: Error): Record<string, unknown> {
  const std = pino.stdSerializers.err(err);
  const out: Record<string, unknown> = { type: std.type, message: std.message, stack: std.stack };
  const extra = err as Error & Record<string, unknown>;
  for (const key of ['code', 'statusCode', 'status', 'errno', 'syscall'] as const) {
    const v = extra[key];
    if (typeof v === 'string' || typeof v === 'number') out[key] = v;
  }
  // pino serialises an AggregateError's members alike; its type leaves them `any`.
  const aggregate: unknown = std['aggregateErrors'];
  if (Array.isArray(aggregate)) {
    out['aggregateErrors'] = (aggregate as readonly { type: string; message: string }[]).map((e) => ({ type: e.type, message: e.message }));
  }
  return out;
}

function serializeError(value: unknown): unknown {
  return value instanceof Error ? maskValue(value) : value;
}

/** What is safe to log about an activity: ids, types, lengths; never its text or values. */
export interface ActivitySummary {
  readonly type: string | undefined;
  readonly name: string | undefined;
  readonly id: string | undefined;
  readonly channelId: string | undefined;
  readonly conversationId: string | undefined;
  readonly conversationType: string | undefined;
  readonly fromId: string | undefined;
  readonly locale: string | undefined;
  readonly textLength: number | undefined;
  readonly valueKeys: string[] | undefined;
  readonly attachments: number | undefined;
}

/** A safe summary of an (inbound or outbound) activity for logs. Accepts anything. */
export function redactActivity(activity: unknown): ActivitySummary {
  const a = isRecord(activity) ? activity : {};
  const conversation = isRecord(a['conversation']) ? a['conversation'] : {};
  const from = isRecord(a['from']) ? a['from'] : {};
  const value = a['value'];
  const text = a['text'];
  const attachments = a['attachments'];
  return {
    type: str(a['type']),
    name: str(a['name']),
    id: str(a['id']),
    channelId: str(a['channelId']),
    conversationId: str(conversation['id']),
    conversationType: str(conversation['conversationType']),
    fromId: str(from['id']),
    locale: str(a['locale']),
    textLength: typeof text === 'string' ? text.length : undefined,
    valueKeys: isRecord(value) ? Object.keys(value).map(maskString) : undefined,
    attachments: Array.isArray(attachments) ? attachments.length : undefined,
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? maskString(value) : undefined;
}
