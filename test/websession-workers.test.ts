/**
 * With `workers: 2` and the memory cache, sessions live in the primary: a session opened through
 * one worker is seen by whichever worker the next connection lands on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { curl } from './harness/run.js';
import { ALICE, createAccount, stopCleanly } from './harness/fixtures.js';
import { pwdCommand, pwdConnect } from './harness/pwd.js';

const LISTENERS = { http: { service: 'http', tls: 'none' }, pwd: { service: 'pwd', tls: 'none' } } as const;
let gw: Gateway<keyof typeof LISTENERS> | undefined;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS, config: { workers: 2 } });
  await createAccount(gw, ALICE.address, ALICE.password);
  await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,SESSIONID');
}, 60_000);

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password]);
});

describe('sessions with two workers (memory cache in the primary)', () => {
  it('every one of many fresh connections finds the session, whichever worker takes it; closing it ends it for all', async () => {
    const login = await curl(['-X', 'POST', '-H', 'Content-Type: application/json', '--data', JSON.stringify({ user: ALICE.address, password: ALICE.password }), `http://127.0.0.1:${gw!.ports.http}/session`]);
    const { sessionId } = JSON.parse(login.stdout) as { sessionId: string };
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) {
      // one curl per request: a new connection each time, so the kernel spreads them over the workers
      const r = await curl(['-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${sessionId}`, `http://127.0.0.1:${gw!.ports.http}/session`]);
      codes.push(r.stdout);
    }
    expect(codes).toEqual(Array(8).fill('200'));
    for (let i = 0; i < 4; i++) {
      const { c } = await pwdConnect(gw!.ports.pwd);
      try {
        expect(await pwdCommand(c, `AUTH SESSIONID ${ALICE.address} ${sessionId}`)).toMatch(/^200 /);
      } finally {
        c.close();
      }
    }
    const del = await curl(['-o', '/dev/null', '-w', '%{http_code}', '-X', 'DELETE', '-H', `Authorization: Bearer ${sessionId}`, `http://127.0.0.1:${gw!.ports.http}/session`]);
    expect(del.stdout).toBe('204');
    for (let i = 0; i < 4; i++) {
      const r = await curl(['-o', '/dev/null', '-w', '%{http_code}', '-H', `Authorization: Bearer ${sessionId}`, `http://127.0.0.1:${gw!.ports.http}/session`]);
      expect(r.stdout).toBe('401');
    }
    // both workers really took SESSIONID logins (node:cluster hands connections out round-robin)
    const logs = (gw!.stdout + gw!.stderr).split('\n').filter((l) => l.includes('"mechanism":"SESSIONID"') && l.includes('"result":"success"'));
    const pids = new Set(logs.map((l) => /"pid":(\d+)/.exec(l)?.[1]));
    expect(pids.size, logs.join('\n')).toBe(2);
  });
});
