/**
 * WebUser sessions live in the shared cache: with Redis configured, a session opened on one
 * gateway instance works on a second one (HTTP and SESSIONID), and closing it on either ends it
 * on both. Two real gateway processes and a real redis-server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { curl } from './harness/run.js';
import { startRedisServer, type RedisServer } from './harness/redis-server.js';
import { ALICE, createAccount, stopCleanly } from './harness/fixtures.js';
import { pwdCommand, pwdConnect } from './harness/pwd.js';
import { imapConnect, imapCommand } from './harness/imap.js';

const LISTENERS = {
  http: { service: 'http', tls: 'none' },
  imap: { service: 'imap', tls: 'none' },
  pwd: { service: 'pwd', tls: 'none' },
} as const;
type L = keyof typeof LISTENERS;

let redis: RedisServer | undefined;
let gw1: Gateway<L> | undefined;
let gw2: Gateway<L> | undefined;

function start(r: RedisServer): Promise<Gateway<L>> {
  return Gateway.start<L>({ listeners: LISTENERS, config: { cache: r.url(0), directory: r.url(1) } });
}

beforeAll(async () => {
  redis = await startRedisServer();
  gw1 = await start(redis);
  gw2 = await start(redis);
  await createAccount(gw1, ALICE.address, ALICE.password);
  await gw1.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,SESSIONID');
}, 90_000);

afterAll(async () => {
  await stopCleanly(gw1, [ALICE.password]);
  await stopCleanly(gw2, [ALICE.password]);
  await redis?.stop();
});

async function getSession(gw: Gateway<L>, id: string): Promise<{ status: number; body: string }> {
  const r = await curl(['-w', '\n%{http_code}', '-H', `Authorization: Bearer ${id}`, `http://127.0.0.1:${gw.ports.http}/session`]);
  const lines = r.stdout.split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n') };
}

describe('sessions across gateway instances (Redis)', () => {
  it('a session opened on the first instance works on the second (HTTP, IMAP and PWD SESSIONID), and closing it on the second ends it on the first', async () => {
    const login = await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '--data', JSON.stringify({ user: ALICE.address, password: ALICE.password }), `http://127.0.0.1:${gw1!.ports.http}/session`]);
    const { sessionId } = JSON.parse(login.stdout) as { sessionId: string };
    expect(sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const there = await getSession(gw2!, sessionId);
    expect(there.status).toBe(200);
    expect(JSON.parse(there.body)).toMatchObject({ account: ALICE.address });

    const { c } = await imapConnect(gw2!.ports.imap);
    try {
      const auth = await imapCommand(c, `AUTHENTICATE SESSIONID ${Buffer.from(`${ALICE.address} ${sessionId}`).toString('base64')}`);
      expect(auth.ok, auth.status).toBe(true);
    } finally {
      c.close();
    }
    const p = await pwdConnect(gw2!.ports.pwd);
    try {
      expect(await pwdCommand(p.c, `AUTH SESSIONID ${ALICE.address} ${sessionId}`)).toMatch(/^200 /);
    } finally {
      p.c.close();
    }

    const closed = await curl(['-w', '%{http_code}', '-X', 'DELETE', '-H', `Authorization: Bearer ${sessionId}`, `http://127.0.0.1:${gw2!.ports.http}/session`]);
    expect(closed.stdout).toBe('204');
    expect((await getSession(gw1!, sessionId)).status).toBe(401);
    expect((await getSession(gw2!, sessionId)).status).toBe(401);
  });
});
