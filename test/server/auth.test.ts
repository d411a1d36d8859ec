import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type RunningApp } from '../../src/index';
import { messageActivity, postActivity } from '../helpers/activities';
import { startConnector, type Connector } from '../support/connector';

/**
 * With an app id the adapter checks the Bot Framework JWT. A request without a
 * token, or with a bogus one, is refused with 401 before any turn runs; no
 * network is needed for that (DESIGN.md, "Auth").
 */
describe('authentication with MicrosoftAppId set', () => {
  let app: RunningApp;
  let connector: Connector;
  const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);

  beforeAll(async () => {
    connector = await startConnector();
    app = await startApp({
      MicrosoftAppId: '11111111-1111-4111-8111-111111111111',
      MicrosoftAppPassword: 'not-a-real-secret',
      MicrosoftAppTenantId: '22222222-2222-4222-8222-222222222222',
      MicrosoftAppType: 'SingleTenant',
      NEXUSTEAM_IDS: 'aad-1',
      STORAGE: 'sqlite',
      SQLITE_PATH: ':memory:',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    });
  });

  afterAll(async () => {
    await app.close();
    await connector.close();
    consoleError.mockRestore();
  });

  it('is not development mode', () => {
    expect(app.config.development).toBe(false);
  });

  it('a POST without Authorization gets 401', async () => {
    const res = await postActivity(app.url, messageActivity({ serviceUrl: connector.url, text: 'hej' }));
    expect(res.status).toBe(401);
  });

  it('a POST with a bogus bearer token gets 401', async () => {
    const res = await postActivity(app.url, messageActivity({ serviceUrl: connector.url, text: 'hej' }), {
      authorization: 'Bearer not.a.token',
    });
    expect(res.status).toBe(401);
  });

  it('nothing reached the connector', () => {
    expect(connector.requests).toEqual([]);
  });

  it('health checks need no token', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  });
});
