import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

const PRODUCTION = {
  MicrosoftAppId: '11111111-1111-4111-8111-111111111111',
  MicrosoftAppPassword: 'not-a-real-secret',
  MicrosoftAppTenantId: '22222222-2222-4222-8222-222222222222',
  MicrosoftAppType: 'SingleTenant',
} as const;

function configError(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig defaults', () => {
  it('an empty environment is local development on port 3978 with SQLite under ./data', () => {
    const config = loadConfig({});
    expect(config.development).toBe(true);
    expect(config.port).toBe(3978);
    expect(config.host).toBeUndefined();
    expect(config.storage).toEqual({ kind: 'sqlite', path: './data/nedbrud.sqlite' });
    expect(config.bot).toEqual({ appId: '', appPassword: '', appType: 'SingleTenant', tenantId: '' });
    expect(config.logLevel).toBe('info');
    expect(config.instructionFile).toBeUndefined();
    expect(config.delays).toMatchObject({
      escalationAfterMinutes: undefined,
      escalationRepeatMinutes: 15,
      escalationRepeatMax: 8,
      handoverBeforeCloseMinutes: 15,
      detectionThreshold: 3,
      detectionWindowMinutes: 15,
      detectionEnabled: true,
      retentionDays: 90,
      homecareReminderTime: '14:30',
    });
    expect(config.mail.allUsers).toMatch(/@example\.org$/);
    expect(config.warnings).toEqual([]);
  });

  it('empty strings count as unset', () => {
    const config = loadConfig({ PORT: '', STORAGE: undefined, SQLITE_PATH: ' ', ESCALATION_AFTER_MINUTES: '' });
    expect(config.port).toBe(3978);
    expect(config.storage).toEqual({ kind: 'sqlite', path: './data/nedbrud.sqlite' });
    expect(config.delays.escalationAfterMinutes).toBeUndefined();
  });

  it('reads the values it is given', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      STORAGE: 'memory',
      LOG_LEVEL: 'silent',
      NEXUSTEAM_IDS: ' a , b ,,c',
      ESCALATION_AFTER_MINUTES: '2',
      HOMECARE_REMINDER_TIME: '09:05',
      DETECTION_ENABLED: 'false',
    });
    expect(config.port).toBe(0);
    expect(config.host).toBe('127.0.0.1');
    expect(config.storage).toEqual({ kind: 'memory' });
    expect(config.logLevel).toBe('silent');
    expect(config.nexusteamIds).toEqual(['a', 'b', 'c']);
    expect(config.delays.escalationAfterMinutes).toBe(2);
    expect(config.delays.homecareReminderTime).toBe('09:05');
    expect(config.delays.detectionEnabled).toBe(false);
  });
});

describe('loadConfig rejects bad values, naming the variable', () => {
  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ STORAGE: 'x' }, 'STORAGE'],
    [{ ESCALATION_AFTER_MINUTES: '0' }, 'ESCALATION_AFTER_MINUTES'],
    [{ ESCALATION_AFTER_MINUTES: 'two hours' }, 'ESCALATION_AFTER_MINUTES'],
    [{ ESCALATION_REPEAT_MAX: '1.5' }, 'ESCALATION_REPEAT_MAX'],
    [{ RETENTION_DAYS: 'ninety' }, 'RETENTION_DAYS'],
    [{ HOMECARE_REMINDER_TIME: '25:00' }, 'HOMECARE_REMINDER_TIME'],
    [{ HOMECARE_REMINDER_TIME: '9:00' }, 'HOMECARE_REMINDER_TIME'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [{ MicrosoftAppType: 'Single' }, 'MicrosoftAppType'],
    [{ STORAGE: 'blob' }, 'BLOB_CONNECTION_STRING'],
  ] as const)('%j → names %s', (env, name) => {
    const message = configError(env);
    expect(message).toContain(name);
  });

  it('lists every bad variable at once', () => {
    const message = configError({ PORT: 'abc', STORAGE: 'x' });
    expect(message).toContain('PORT');
    expect(message).toContain('STORAGE');
  });
});

describe('loadConfig in production (MicrosoftAppId set)', () => {
  it('is not development mode and keeps the registration', () => {
    const config = loadConfig({ ...PRODUCTION, NEXUSTEAM_IDS: 'x' });
    expect(config.development).toBe(false);
    expect(config.bot).toEqual({
      appId: PRODUCTION.MicrosoftAppId,
      appPassword: PRODUCTION.MicrosoftAppPassword,
      appType: 'SingleTenant',
      tenantId: PRODUCTION.MicrosoftAppTenantId,
    });
    // The bot's own tenant is allowed when ALLOWED_TENANT_IDS is empty.
    expect(config.allowedTenantIds).toEqual([PRODUCTION.MicrosoftAppTenantId]);
  });

  it('requires the password', () => {
    expect(configError({ ...PRODUCTION, MicrosoftAppPassword: '' })).toContain('MicrosoftAppPassword');
  });

  it('requires the tenant id for SingleTenant', () => {
    expect(configError({ ...PRODUCTION, MicrosoftAppTenantId: undefined })).toContain('MicrosoftAppTenantId');
  });

  it('refuses memory storage', () => {
    expect(configError({ ...PRODUCTION, STORAGE: 'memory' })).toContain('STORAGE');
  });

  it('warns about what is missing: Nexusteam ids, SMTP, mailing lists', () => {
    const config = loadConfig({ ...PRODUCTION });
    expect(config.warnings.some((w) => w.includes('NEXUSTEAM_IDS'))).toBe(true);
    expect(config.warnings.some((w) => w.includes('SMTP_URL'))).toBe(true);
    expect(config.warnings.some((w) => w.includes('MAIL_TO_ALL_USERS'))).toBe(true);
  });

  it('has no Nexusteam warning when ids are given', () => {
    const config = loadConfig({ ...PRODUCTION, NEXUSTEAM_IDS: 'aad-1,aad-2' });
    expect(config.warnings.some((w) => w.includes('NEXUSTEAM_IDS'))).toBe(false);
  });
});

describe('.env.example', () => {
  const root = resolve(__dirname, '..');
  const example = readFileSync(resolve(root, '.env.example'), 'utf8');
  const lines = example.split('\n');
  const entries = lines
    .map((line, i) => ({ line, i, m: /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line) }))
    .filter((e): e is { line: string; i: number; m: RegExpExecArray } => e.m !== null);
  const env = Object.fromEntries(entries.map((e) => [e.m[1] ?? '', e.m[2] ?? '']));

  it('lists every variable src/config.ts reads, each with a comment line above it', () => {
    const source = readFileSync(resolve(root, 'src/config.ts'), 'utf8');
    const schema = source.slice(source.indexOf('const envSchema = z.object({'), source.indexOf('\n});', source.indexOf('const envSchema')));
    const read = [...schema.matchAll(/^ {2}([A-Za-z_][A-Za-z0-9_]*):/gm)].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(20);
    expect(Object.keys(env).sort()).toEqual([...read].sort());
    for (const e of entries) expect(lines[e.i - 1], `comment above ${e.m[1]}`).toMatch(/^# \S/);
  });

  it('is a valid development configuration as written', () => {
    const config = loadConfig(env);
    expect(config.development).toBe(true);
    expect(config.port).toBe(3978);
    expect(config.storage).toEqual({ kind: 'sqlite', path: './data/nedbrud.sqlite' });
  });

  it('uses example.org-style placeholders only', () => {
    const domains = [...example.matchAll(/@([a-z0-9.-]+)|\/\/([a-z0-9.-]+)/gi)].map((m) => m[1] ?? m[2]);
    for (const d of domains) expect(d).toMatch(/example\.org$|^relay\.example\.org$/);
  });
});
