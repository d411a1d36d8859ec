import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/index';
import { createLogger, maskJsonStrings, redactActivity } from '../../src/log';
import { messageActivity, postActivity } from '../helpers/activities';
import { startConnector, type Connector } from '../support/connector';
import { captureLogs } from '../helpers/logs';

/** Every way the digits of the CPR number below could show up unmasked. */
const CPR_DIGITS = /010190.?1234|0101901234|010190/;

describe('createLogger masks CPR-like numbers in every string it writes', () => {
  it('in the message, its format arguments, fields at any depth, keys, bindings and errors', () => {
    const logs = captureLogs();
    const logger = createLogger({ logLevel: 'debug' }, logs);

    logger.info('borger 010190-1234 ringer fra 4460 5040');
    logger.info({ text: 'cpr 0101901234', nested: { list: ['x', { deep: '010190 1234' }] } }, 'for %s', '010190-1234');
    logger.info({ 'key 010190-1234': 1 }, 'key');
    logger.child({ conversation: 'samtale om 010190-1234' }).info('child');
    logger.error(new Error('failed for 010190-1234'));
    logger.error({ err: new Error('wrapped 010190-1234', { cause: new Error('cause 010190-1234') }) }, 'wrapped');
    logger.debug({ when: '24-12-2026 kl. 15.30', phone: '+45 4460 5040', time: '08:00' }, 'not CPR');

    const text = logs.text();
    expect(text).not.toMatch(CPR_DIGITS);
    const lines = logs.lines();
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'borger ******-**** ringer fra 4460 5040' });
    expect(lines[1]).toMatchObject({ text: 'cpr **********', nested: { list: ['x', { deep: '****** ****' }] }, msg: 'for ******-****' });
    expect(lines[2]).toHaveProperty(['key ******-****'], 1);
    expect(lines[3]).toMatchObject({ conversation: 'samtale om ******-****', msg: 'child' });
    expect(lines[4]).toMatchObject({ level: 'error', msg: 'failed for ******-****', err: { type: 'Error', message: 'failed for ******-****' } });
    expect(String((lines[4]?.['err'] as { stack?: unknown } | undefined)?.stack)).toContain('failed for ******-****');
    expect(lines[5]).toMatchObject({ err: { message: expect.stringContaining('cause ******-****') } });
    expect(lines[6]).toMatchObject({ when: '24-12-2026 kl. 15.30', phone: '+45 4460 5040', time: '08:00' });
  });

  it('masks inside JSON strings of a finished line only, so the line stays JSON', () => {
    const line = JSON.stringify({ a: 'x 010190-1234 "q"', n: 3112991234, b: ['0101901234'] });
    const masked = maskJsonStrings(line);
    expect(JSON.parse(masked)).toEqual({ a: 'x ******-**** "q"', n: 3112991234, b: ['**********'] });
  });

  it('replaces secrets by name and survives cycles', () => {
    const logs = captureLogs();
    const logger = createLogger({ logLevel: 'info' }, logs);
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    logger.info({ headers: { Authorization: 'Bearer abc.def.ghi', accept: 'json' }, cyclic }, 'secrets');
    const [line] = logs.lines();
    expect(line).toMatchObject({ headers: { Authorization: '[redacted]', accept: 'json' }, cyclic: { name: 'loop', self: '[Circular]' } });
    expect(logs.text()).not.toContain('abc.def.ghi');
  });

  it('respects the level, silent included', () => {
    const logs = captureLogs();
    createLogger({ logLevel: 'silent' }, logs).error('nothing');
    createLogger({ logLevel: 'warn' }, logs).info('nothing either');
    expect(logs.text()).toBe('');
  });
});

describe('redactActivity', () => {
  it('keeps ids, types and lengths, never the text or the values', () => {
    const activity = messageActivity({
      serviceUrl: 'http://127.0.0.1:1',
      text: 'borger 010190-1234',
      value: { action: 'triage', note: 'hemmeligt' },
      locale: 'en-US',
      conversationId: 'a:1conv;messageid=42',
      id: 'act-1',
    });
    expect(redactActivity(activity)).toEqual({
      type: 'message',
      name: undefined,
      id: 'act-1',
      channelId: 'msteams',
      conversationId: 'a:1conv;messageid=42',
      conversationType: 'personal',
      fromId: '29:1test-person',
      locale: 'en-US',
      textLength: 18,
      valueKeys: ['action', 'note'],
      attachments: undefined,
    });
    expect(JSON.stringify(redactActivity(activity))).not.toMatch(/010190|hemmeligt|triage/);
  });

  it('accepts anything', () => {
    expect(redactActivity(undefined)).toMatchObject({ type: undefined, textLength: undefined });
    expect(redactActivity('text')).toMatchObject({ type: undefined });
    expect(redactActivity({ type: 5, conversation: 'x' })).toMatchObject({ type: undefined, conversationId: undefined });
  });
});

describe('the running app never logs a CPR number', () => {
  let app: RunningApp | undefined;
  let connector: Connector | undefined;

  afterEach(async () => {
    await app?.close();
    await connector?.close();
    app = undefined;
    connector = undefined;
  });

  it('a message with a CPR number, on a normal turn and when the connector fails echoing it', async () => {
    const text = 'Borger 010190-1234 kan ikke få sin medicin. Ring 4460 5040.';
    connector = await startConnector({
      // From the second send on, the connector refuses, and its error echoes the text
      // (as a proxy might). 400: botbuilder does not retry it, so the test stays fast.
      respond: ({ method }) =>
        method === 'POST' && connectorCalls++ >= 1
          ? { status: 400, body: { error: { code: 'BadArgument', message: `could not deliver: ${text}` } } }
          : undefined,
    });
    let connectorCalls = 0;
    const logs = captureLogs();
    app = await startApp({ STORAGE: 'memory', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'debug' }, { logDestination: logs });

    const first = await postActivity(app.url, messageActivity({ serviceUrl: connector.url, text }));
    expect(first.status).toBe(200);
    const second = await postActivity(app.url, messageActivity({ serviceUrl: connector.url, text }));
    expect(second.status).toBe(200);
    await app.close();

    const raw = logs.text();
    expect(raw.length).toBeGreaterThan(0);
    expect(raw).not.toMatch(CPR_DIGITS);
    // The failure was logged, with the echoed text masked and its phone number intact.
    const failure = logs.lines().find((l) => l['msg'] === 'turn failed');
    expect(failure).toBeDefined();
    const failureText = JSON.stringify(failure);
    expect(failureText).toContain('could not deliver: Borger ******-**** kan ikke få sin medicin. Ring 4460 5040.');
    // The CPR number did not reach Teams either (the bot masks the text before using it).
    expect(JSON.stringify(connector.requests.map((r) => r.body))).not.toMatch(CPR_DIGITS);
  });
});

describe('the start log', () => {
  it('warns when ESCALATION_AFTER_MINUTES overrides the instruction\'s 2-hour rule (training), and not otherwise', async () => {
    for (const [env, warned] of [[{ ESCALATION_AFTER_MINUTES: '5' }, true], [{}, false]] as const) {
      const logs = captureLogs();
      const app = await startApp({ STORAGE: 'memory', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, { logDestination: logs });
      await app.close();
      const warning = logs.lines().find((l) => String(l['msg']).includes('ESCALATION_AFTER_MINUTES'));
      if (warned) expect(warning).toMatchObject({ level: 'warn', escalationAfterMinutes: 5, msg: expect.stringContaining("overrides the instruction's 2-hour rule") });
      else expect(warning).toBeUndefined();
    }
  });
});
