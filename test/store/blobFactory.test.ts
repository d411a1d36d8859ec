import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { startApp, type RunningApp } from '../../src/index';
import { createStorage } from '../../src/server/storage';
import { BlobStorage } from '../../src/store/blobStorage';
import { messageActivity, postActivity } from '../helpers/activities';
import { startAzurite, type Azurite } from '../support/azurite';
import { startConnector, type Connector } from '../support/connector';

/** STORAGE=blob through the factory and the whole app, on Azurite. */

function blobEnv(azurite: Azurite, container: string): Record<string, string> {
  return { STORAGE: 'blob', BLOB_CONNECTION_STRING: azurite.connectionString, BLOB_CONTAINER: container };
}

describe('createStorage with STORAGE=blob', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });

  it('builds a BlobStorage that pings, stores, and closes', async () => {
    const handle = createStorage(loadConfig(blobEnv(azurite, 'blob-factory')));
    expect(handle.kind).toBe('blob');
    expect(handle.storage).toBeInstanceOf(BlobStorage);
    await expect(handle.ping()).resolves.toBeUndefined();
    await handle.storage.write({ 'factory:1': { n: 1 } });
    expect((await handle.storage.read(['factory:1']))['factory:1']).toMatchObject({ n: 1 });
    await handle.close();
    await handle.close();
    await expect(handle.ping()).rejects.toThrow(/closed/);
  });

  it('uses the container "nedbrud" when BLOB_CONTAINER is not set', async () => {
    const config = loadConfig({ STORAGE: 'blob', BLOB_CONNECTION_STRING: azurite.connectionString });
    expect(config.storage).toMatchObject({ kind: 'blob', container: 'nedbrud' });
    const handle = createStorage(config);
    await expect(handle.ping()).resolves.toBeUndefined();
    await handle.close();
  });

  it('refuses a bad container name or connection string with a ConfigError naming the variable', () => {
    expect(() => createStorage(loadConfig(blobEnv(azurite, 'Nedbrud_Data')))).toThrow(ConfigError);
    expect(() => createStorage(loadConfig(blobEnv(azurite, 'Nedbrud_Data')))).toThrow(/BLOB_CONTAINER/);
    const badString = { STORAGE: 'blob', BLOB_CONNECTION_STRING: 'AccountName=x', BLOB_CONTAINER: 'nedbrud' };
    expect(() => createStorage(loadConfig(badString))).toThrow(/BLOB_CONNECTION_STRING/);
  });
});

describe('the app with STORAGE=blob', () => {
  let azurite: Azurite;
  let connector: Connector;
  let app: RunningApp | undefined;

  beforeAll(async () => {
    azurite = await startAzurite();
    connector = await startConnector();
    app = await startApp({ ...blobEnv(azurite, 'blob-app'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  });
  afterAll(async () => {
    await app?.close();
    await connector?.close();
    await azurite?.stop();
  });

  it('/readyz is 200 while the container answers', async () => {
    const res = await fetch(`${app?.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('a turn runs on Blob: the welcome card comes back', async () => {
    const conversationId = 'a:1Xy-blob;messageid=1700000000001';
    const before = connector.activities().length;
    const res = await postActivity(`${app?.url}`, messageActivity({ serviceUrl: connector.url, text: 'hej', conversationId }));
    expect([200, 201]).toContain(res.status);
    const sent = connector.activities().slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((a) => a.toConversationId === conversationId)).toBe(true);
  });

  it('/readyz is 503 once Azurite is gone', async () => {
    await azurite.stop();
    const started = Date.now();
    const res = await fetch(`${app?.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: 'unavailable', reason: 'storage' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('startApp with STORAGE=blob and no service', () => {
  it('fails at start-up instead of listening unready', async () => {
    const gone = await startAzurite();
    await gone.stop();
    await expect(
      startApp({ ...blobEnv(gone, 'blob-none'), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }),
    ).rejects.toThrow();
  });
});
