import { z } from 'zod';
import { describeIssues } from './instruction/load';

/**
 * All configuration, read once from the environment at start-up. Nothing else in
 * the code reads process.env. Invalid values stop start-up with a message that
 * names the variable and how to fix it.
 */


const positiveInt = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(fallback) : v))
    .pipe(z.coerce.number<string>().int('must be a whole number').positive('must be greater than 0'));

/** Minutes or seconds that tests and the playground may shorten below one (e.g. 0.05). */
const positiveNumber = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? String(fallback) : v))
    .pipe(z.coerce.number<string>().positive('must be greater than 0').finite('must be a number'));

/** A positive number, or undefined when not set (an override of the instruction's value). */
const optionalPositiveNumber = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
  .pipe(z.coerce.number<string>().positive('must be greater than 0').finite('must be a number').optional());

const list = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const envSchema = z.object({
  MicrosoftAppId: optionalString,
  MicrosoftAppPassword: optionalString,
  MicrosoftAppType: z
    .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
      message: 'must be SingleTenant (recommended), MultiTenant or UserAssignedMSI',
    })
    .optional()
    .default('SingleTenant'),
  MicrosoftAppTenantId: optionalString,
  PORT: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? '3978' : v))
    .pipe(z.coerce.number<string>().int('must be a whole number').min(0).max(65535, 'must be a TCP port 0–65535')),
  HOST: optionalString,
  STORAGE: z
    .enum(['sqlite', 'blob', 'memory'], { message: 'must be sqlite (default), blob, or memory (tests only)' })
    .optional()
    .default('sqlite'),
  SQLITE_PATH: optionalString,
  BLOB_CONNECTION_STRING: optionalString,
  BLOB_CONTAINER: optionalString,
  INSTRUCTION_FILE: optionalString,
  NEXUSTEAM_IDS: list,
  ALLOWED_TENANT_IDS: list,
  SMTP_URL: optionalString,
  MAIL_FROM: optionalString,
  MAIL_TO_ALL_USERS: optionalString,
  MAIL_TO_PROVIDERS: optionalString,
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .optional()
    .default('info'),
  ESCALATION_AFTER_MINUTES: optionalPositiveNumber,
  ESCALATION_REPEAT_MINUTES: positiveNumber(15),
  ESCALATION_REPEAT_MAX: positiveInt(8),
  HANDOVER_BEFORE_CLOSE_MINUTES: positiveNumber(15),
  DETECTION_THRESHOLD: positiveInt(3),
  DETECTION_WINDOW_MINUTES: positiveInt(15),
  DETECTION_ENABLED: z
    .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
    .optional()
    .transform((v) => !(v === 'false' || v === '0' || v === 'no')),
  RETENTION_DAYS: positiveInt(90),
  HOMECARE_REMINDER_TIME: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? '14:30' : v.trim()))
    .pipe(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM')),
  SCHEDULER_INTERVAL_SECONDS: positiveNumber(15),
  SCHEDULER_LEASE_SECONDS: positiveNumber(120),
  OUTBOX_LEASE_SECONDS: positiveNumber(30),
  PUBLIC_BASE_URL: optionalString,
  DEV_PLAYGROUND: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1' || v === 'yes')),
});

export interface Config {
  /** Empty app id = local development mode: no JWT check, playground on. */
  readonly development: boolean;
  readonly bot: {
    readonly appId: string;
    readonly appPassword: string;
    readonly appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    readonly tenantId: string;
  };
  readonly port: number;
  readonly host: string | undefined;
  readonly storage:
    | { readonly kind: 'sqlite'; readonly path: string }
    | { readonly kind: 'blob'; readonly connectionString: string; readonly container: string }
    | { readonly kind: 'memory' };
  readonly instructionFile: string | undefined;
  /** Entra object ids of the Nexusteam's members. */
  readonly nexusteamIds: readonly string[];
  /** Tenants whose users may talk to the bot; empty = any (development). */
  readonly allowedTenantIds: readonly string[];
  readonly mail: {
    readonly smtpUrl: string | undefined;
    readonly from: string;
    readonly allUsers: string;
    readonly providers: string;
  };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly delays: {
    /**
     * Overrides the 2-hour rule's delay of the instruction (its one source) for
     * training, e.g. 5 minutes; undefined when not set. Logged at start.
     */
    readonly escalationAfterMinutes: number | undefined;
    readonly escalationRepeatMinutes: number;
    readonly escalationRepeatMax: number;
    readonly handoverBeforeCloseMinutes: number;
    readonly detectionThreshold: number;
    readonly detectionWindowMinutes: number;
    readonly detectionEnabled: boolean;
    readonly retentionDays: number;
    readonly homecareReminderTime: string;
    readonly schedulerIntervalSeconds: number;
    /** How long a claimed job is held before another instance may run it (the "at least once" window). */
    readonly schedulerLeaseSeconds: number;
    /** How long an instance's hold on a part of the outbox lasts without renewal: the takeover delay after a crash. */
    readonly outboxLeaseSeconds: number;
  };
  readonly publicBaseUrl: string | undefined;
  /** npm start serves the playground in development mode unless this is false. */
  readonly devPlayground: boolean | undefined;
  /** Things an operator should fix before production, logged as warnings at start. */
  readonly warnings: readonly string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const PLACEHOLDER_MAIL = {
  from: 'nedbrud@example.org',
  allUsers: 'socialfv-nexus@example.org',
  providers: 'nedbrud-care-privatelev@example.org',
};

/** Validates the environment once; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set" for every key (as .env files write them).
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration: ${describeIssues(parsed.error)}`);
  }
  const e = parsed.data;
  const development = !e.MicrosoftAppId;
  const problems: string[] = [];
  const warnings: string[] = [];

  if (!development) {
    if (e.MicrosoftAppType !== 'UserAssignedMSI' && !e.MicrosoftAppPassword) {
      problems.push('MicrosoftAppPassword: required when MicrosoftAppId is set (the app registration\'s client secret)');
    }
    if (e.MicrosoftAppType !== 'MultiTenant' && !e.MicrosoftAppTenantId) {
      problems.push(`MicrosoftAppTenantId: required for MicrosoftAppType=${e.MicrosoftAppType} (the Entra tenant id)`);
    }
    if (e.STORAGE === 'memory') {
      problems.push('STORAGE: memory loses every outage and reminder on restart; use sqlite or blob in production');
    }
    if (e.NEXUSTEAM_IDS.length === 0) warnings.push('NEXUSTEAM_IDS is empty: nobody can declare outages until it lists the Nexusteam\'s Entra object ids');
    if (!e.SMTP_URL) warnings.push('SMTP_URL is not set: announcements are not mailed; the declare card offers a mailto: draft instead');
    if (!e.MAIL_TO_ALL_USERS || !e.MAIL_TO_PROVIDERS) warnings.push('MAIL_TO_ALL_USERS / MAIL_TO_PROVIDERS are not set: placeholder example.org addresses are used');
    if (e.ALLOWED_TENANT_IDS.length === 0 && e.MicrosoftAppTenantId === undefined) warnings.push('ALLOWED_TENANT_IDS is empty: activities from any tenant are accepted');
  }

  let storage: Config['storage'];
  if (e.STORAGE === 'blob') {
    if (!e.BLOB_CONNECTION_STRING) problems.push('BLOB_CONNECTION_STRING: required when STORAGE=blob (the storage account connection string)');
    storage = { kind: 'blob', connectionString: e.BLOB_CONNECTION_STRING ?? '', container: e.BLOB_CONTAINER ?? 'nedbrud' };
  } else if (e.STORAGE === 'memory') {
    storage = { kind: 'memory' };
  } else {
    storage = { kind: 'sqlite', path: e.SQLITE_PATH ?? './data/nedbrud.sqlite' };
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);

  const allowedTenants = [...e.ALLOWED_TENANT_IDS];
  if (allowedTenants.length === 0 && e.MicrosoftAppTenantId) allowedTenants.push(e.MicrosoftAppTenantId);

  return {
    development,
    bot: {
      appId: e.MicrosoftAppId ?? '',
      appPassword: e.MicrosoftAppPassword ?? '',
      appType: e.MicrosoftAppType,
      tenantId: e.MicrosoftAppTenantId ?? '',
    },
    port: e.PORT,
    host: e.HOST,
    storage,
    instructionFile: e.INSTRUCTION_FILE,
    nexusteamIds: e.NEXUSTEAM_IDS,
    allowedTenantIds: allowedTenants,
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM ?? PLACEHOLDER_MAIL.from,
      allUsers: e.MAIL_TO_ALL_USERS ?? PLACEHOLDER_MAIL.allUsers,
      providers: e.MAIL_TO_PROVIDERS ?? PLACEHOLDER_MAIL.providers,
    },
    logLevel: e.LOG_LEVEL,
    delays: {
      escalationAfterMinutes: e.ESCALATION_AFTER_MINUTES,
      escalationRepeatMinutes: e.ESCALATION_REPEAT_MINUTES,
      escalationRepeatMax: e.ESCALATION_REPEAT_MAX,
      handoverBeforeCloseMinutes: e.HANDOVER_BEFORE_CLOSE_MINUTES,
      detectionThreshold: e.DETECTION_THRESHOLD,
      detectionWindowMinutes: e.DETECTION_WINDOW_MINUTES,
      detectionEnabled: e.DETECTION_ENABLED,
      retentionDays: e.RETENTION_DAYS,
      homecareReminderTime: e.HOMECARE_REMINDER_TIME,
      schedulerIntervalSeconds: e.SCHEDULER_INTERVAL_SECONDS,
      schedulerLeaseSeconds: e.SCHEDULER_LEASE_SECONDS,
      outboxLeaseSeconds: e.OUTBOX_LEASE_SECONDS,
    },
    publicBaseUrl: e.PUBLIC_BASE_URL,
    devPlayground: e.DEV_PLAYGROUND,
    warnings,
  };
}
