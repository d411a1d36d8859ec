import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type RunningApp } from '../../src/index';
import { messageActivity, postActivity } from '../helpers/activities';

/**
 * The playground exists only in development mode. With a MicrosoftAppId set,
 * even when asked for (`playground: true`, as `npm start` asks), the page, its
 * files, the development connector, the event stream, the log and the clock all
 * answer 404, and /api/messages wants a valid token.
 */

const PLAYGROUND_ROUTES: readonly (readonly [method: string, path: string])[] = [
  ['GET', '/'],
  ['GET', '/index.html'],
  ['GET', '/playground/app.js'],
  ['GET', '/playground/style.css'],
  ['GET', '/playground/vendor/adaptivecards.min.js'],
  ['GET', '/dev/state'],
  ['GET', '/dev/channels'],
  ['GET', '/dev/messages'],
  ['GET', '/dev/events'],
  ['GET', '/dev/log'],
  ['GET', '/dev/clock'],
  ['POST', '/dev/clock'],
  ['PUT', '/dev/personas'],
  ['POST', '/dev/connector/v3/conversations'],
  ['POST', `/dev/connector/v3/conversations/${encodeURIComponent('19:x@thread.tacv2;messageid=1')}/activities`],
  ['POST', `/dev/connector/v3/conversations/${encodeURIComponent('a:1x')}/activities/123`],
  ['PUT', `/dev/connector/v3/conversations/${encodeURIComponent('a:1x')}/activities/123`],
  ['DELETE', `/dev/connector/v3/conversations/${encodeURIComponent('a:1x')}/activities/123`],
  ['GET', `/dev/connector/v3/conversations/${encodeURIComponent('19:team@thread.tacv2')}/members`],
  ['GET', `/dev/connector/v3/conversations/${encodeURIComponent('19:team@thread.tacv2')}/members/29%3Aanna`],
];

async function call(appUrl: string, method: string, path: string): Promise<number> {
  return (await callWithCode(appUrl, method, path)).status;
}

/** The status, and the error code of a JSON error body (to tell "no such route" from "no such member"). */
async function callWithCode(appUrl: string, method: string, path: string): Promise<{ status: number; code: string | undefined }> {
  const body = method === 'POST' || method === 'PUT' ? JSON.stringify(path.endsWith('/clock') ? { offsetMs: 0 } : path.endsWith('/personas') ? [] : { type: 'message', text: 'x' }) : undefined;
  const res = await fetch(`${appUrl}${path}`, {
    method,
    ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
    signal: AbortSignal.timeout(5000),
  });
  if (path === '/dev/events') {
    await res.body?.cancel();
    return { status: res.status, code: undefined };
  }
  const text = await res.text();
  let code: string | undefined;
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json === 'object' && json !== null) {
      const error = 'error' in json && typeof json.error === 'object' && json.error !== null ? json.error : json;
      code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    }
  } catch {
    code = undefined;
  }
  return { status: res.status, code };
}

describe('production mode (MicrosoftAppId set)', () => {
  let app: RunningApp;
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);

  beforeAll(async () => {
    app = await startApp(
      {
        MicrosoftAppId: '11111111-1111-4111-8111-111111111111',
        MicrosoftAppPassword: 'not-a-real-secret',
        MicrosoftAppTenantId: '22222222-2222-4222-8222-222222222222',
        NEXUSTEAM_IDS: 'aad-1',
        SQLITE_PATH: ':memory:',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
      },
      { playground: true },
    );
  });
  afterAll(async () => {
    await app?.close();
    consoleError.mockRestore();
  });

  it('is production mode', () => {
    expect(app.config.development).toBe(false);
  });

  it.each(PLAYGROUND_ROUTES)('%s %s answers 404', async (method, path) => {
    expect(await call(app.url, method, path)).toBe(404);
  });

  it('/api/messages wants a token: 401 without one, 401 with a bogus one', async () => {
    const activity = messageActivity({ serviceUrl: `${app.url}/dev/connector`, text: 'Nexus er nede' });
    expect((await postActivity(app.url, activity)).status).toBe(401);
    expect((await postActivity(app.url, activity, { authorization: 'Bearer not.a.token' })).status).toBe(401);
  });
});

describe('development mode', () => {
  it('serves every playground route when asked (so the 404s above are real)', async () => {
    const app = await startApp({ STORAGE: 'memory', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }, { playground: true });
    try {
      for (const [method, path] of PLAYGROUND_ROUTES) {
        const { status, code } = await callWithCode(app.url, method, path);
        // A route that exists may still refuse these bodies (400) or not know the member (404 with its own code).
        if (status === 404) expect(code, `${method} ${path}`).toBe('MemberNotFoundInConversation');
        else expect(status, `${method} ${path}`).toBeLessThan(500);
      }
    } finally {
      await app.close();
    }
  });

  it('without the playground (the default for startApp) none of it is there', async () => {
    const app = await startApp({ STORAGE: 'memory', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    try {
      for (const [method, path] of PLAYGROUND_ROUTES) expect(await call(app.url, method, path), `${method} ${path}`).toBe(404);
    } finally {
      await app.close();
    }
  });
});
