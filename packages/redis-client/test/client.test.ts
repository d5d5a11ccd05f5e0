import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedisClient, createRedisClient, reconnectDelay, waitForReady, MAX_RECONNECT_DELAY_MS, type RedisClient } from '../src/index.js';
import { startRedisServer, type RedisServerHandle } from '../src/testing/redis-server.js';

let server: RedisServerHandle;
const clients: RedisClient[] = [];

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => closeRedisClient(c)));
  await server.stop();
});

function client(url: string, logger?: { warn(o: object, m: string): void; info(o: object, m: string): void }): RedisClient {
  const c = createRedisClient(url, { commandTimeoutMs: 300, connectTimeoutMs: 500, ...(logger ? { logger } : {}) });
  clients.push(c);
  return c;
}

describe('createRedisClient against a real redis-server', () => {
  it('connects, selects the database of the URL and applies the key prefix', async () => {
    const c = createRedisClient(`redis://127.0.0.1:${server.port}/2`, { keyPrefix: 'pfx:', name: 'portcullis-test' });
    clients.push(c);
    expect(await waitForReady(c, 2000)).toBe(true);
    await c.set('k', 'v', 'EX', 60);
    const raw = createRedisClient(`redis://127.0.0.1:${server.port}/2`);
    clients.push(raw);
    expect(await waitForReady(raw, 2000)).toBe(true);
    expect(await raw.get('pfx:k')).toBe('v');
    expect(await raw.client('LIST')).toContain('name=portcullis-test');
  });

  it('fails fast while Redis is down, logs once without the password, and reconnects by itself', async () => {
    const logs: { level: string; text: string }[] = [];
    const logger = {
      warn: (o: object, m: string) => logs.push({ level: 'warn', text: `${JSON.stringify(o)} ${m}` }),
      info: (o: object, m: string) => logs.push({ level: 'info', text: `${JSON.stringify(o)} ${m}` }),
    };
    const c = client(`redis://127.0.0.1:${server.port}`, logger);
    expect(await waitForReady(c, 2000)).toBe(true);
    expect(await c.ping()).toBe('PONG');

    await server.kill();
    const started = Date.now();
    await expect(c.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
    // several more attempts while down: still fast
    for (let i = 0; i < 3; i++) {
      const t = Date.now();
      await expect(c.get('x')).rejects.toThrow();
      expect(Date.now() - t).toBeLessThan(1000);
    }

    server = await startRedisServer({ port: server.port, dir: server.dir });
    expect(await waitForReady(c, 5000)).toBe(true);
    expect(await c.ping()).toBe('PONG');
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(logs.filter((l) => l.level === 'info')).toHaveLength(1);
  });

  it('never logs the password of the URL', async () => {
    const logs: string[] = [];
    const logger = { warn: (o: object, m: string) => logs.push(`${JSON.stringify(o)} ${m}`), info: () => undefined };
    // nothing listens on this port: the connection error is logged with the redacted URL
    const c = client('redis://user:hunter2@127.0.0.1:1', logger);
    expect(await waitForReady(c, 300)).toBe(false);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).toContain('user:***@');
    expect(logs.join('\n')).not.toContain('hunter2');
    c.disconnect();
  });
});

describe('reconnectDelay', () => {
  it('grows and stays capped', () => {
    expect(reconnectDelay(1)).toBeLessThanOrEqual(100);
    expect(reconnectDelay(100)).toBeLessThanOrEqual(MAX_RECONNECT_DELAY_MS);
    expect(reconnectDelay(100)).toBeGreaterThanOrEqual(MAX_RECONNECT_DELAY_MS * 0.75);
  });
});
