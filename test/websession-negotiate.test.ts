/**
 * HTTP Negotiate (SPNEGO) on the http listener against a real MIT KDC: the service key
 * HTTP/mail.krb.test imported with `portcullis kerberos import`, a ticket from kinit, and
 * `curl --negotiate -u :` as the browser. The host name is mapped to 127.0.0.1 with --connect-to,
 * so the service principal follows the URL's host.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { MitKdc } from './harness/mit-kdc.js';
import { run } from './harness/run.js';
import { stopCleanly } from './harness/fixtures.js';

const REALM = 'KRB.TEST';
const PASSWORDS = { alice: 'Alice-Krb-1', bob: 'Bob-Krb-1', carol: 'Carol-Krb-1' };
const LISTENERS = { http: { service: 'http', tls: 'none' } } as const;

let kdc: MitKdc;
let gw: Gateway<keyof typeof LISTENERS>;
const tickets: Record<string, NodeJS.ProcessEnv> = {};

beforeAll(async () => {
  kdc = await MitKdc.start(REALM);
  gw = await Gateway.start({ listeners: LISTENERS });
  for (const [user, pw] of Object.entries(PASSWORDS)) await kdc.addUser(user, pw);
  const keytab = path.join(kdc.dir, 'http.keytab');
  await gw.cliOk('domain', 'create', 'krb.test', 'aliases=mail.krb.test', 'loginMethods=CLRTXT,GSSAPI');
  await kdc.addService('HTTP/mail.krb.test', keytab);
  await gw.cliOk('kerberos', 'import', 'krb.test', keytab);
  // a service whose key was never imported anywhere
  await gw.cliOk('domain', 'create', 'other.test');
  await kdc.addService('HTTP/other.test', path.join(kdc.dir, 'unused.keytab'));
  await gw.cliOk('account', 'create', 'alice@krb.test', 'password=Unused-Pw-9');
  await gw.cliOk('account', 'create', 'bob@krb.test', 'password=Unused-Pw-9', 'allowKerberos=false');
  for (const [user, pw] of Object.entries(PASSWORDS)) tickets[user] = await kdc.kinit(user, pw);
}, 60_000);

afterAll(async () => {
  await stopCleanly(gw, Object.values(PASSWORDS));
  await kdc?.stop();
});

async function negotiate(user: string | null, host = 'mail.krb.test', method = 'POST') {
  const port = gw.ports.http;
  const env = user ? { ...process.env, KRB5_CONFIG: tickets[user]!.KRB5_CONFIG, KRB5CCNAME: tickets[user]!.KRB5CCNAME } : { ...process.env, KRB5_CONFIG: kdc.env.KRB5_CONFIG, KRB5CCNAME: `FILE:${kdc.dir}/none.ccache` };
  const r = await run(
    'curl',
    ['--silent', '--show-error', '--max-time', '20', '-i', '--negotiate', '-u', ':', '-X', method, '--connect-to', `${host}:${port}:127.0.0.1:${port}`, `http://${host}:${port}/session`],
    { env },
  );
  expect(r.code, r.stderr).toBe(0);
  const answers = r.stdout.split(/\r\n\r\n/);
  // curl prints the 401 challenge, then the answer to its Negotiate request
  const heads = answers.filter((a) => a.startsWith('HTTP/'));
  const last = heads[heads.length - 1]!;
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(last)?.[1]);
  const body = answers[answers.indexOf(last) + 1] ?? '';
  const headers = last.split('\r\n').slice(1);
  return { status, body, headers, all: r.stdout };
}

describe('HTTP Negotiate (SPNEGO) with curl', () => {
  it('alice gets a WebUser session with her ticket for HTTP/mail.krb.test, and a mutual-auth token back', async () => {
    const r = await negotiate('alice');
    expect(r.status, r.all).toBe(200);
    const body = JSON.parse(r.body) as { sessionId: string; account: string };
    expect(body.account).toBe('alice@krb.test');
    expect(r.headers.some((h) => /^WWW-Authenticate: Negotiate [A-Za-z0-9+/]+=*$/i.test(h))).toBe(true);
    expect(r.headers.some((h) => /^Set-Cookie: portcullis_session=/i.test(h))).toBe(true);
    // the session then works like any other
    const check = await run('curl', ['--silent', '-H', `Authorization: Bearer ${body.sessionId}`, `http://127.0.0.1:${gw.ports.http}/session`]);
    expect(JSON.parse(check.stdout)).toMatchObject({ account: 'alice@krb.test' });
    expect(gw.stdout + gw.stderr).toMatch(/"mechanism":"GSS-SPNEGO"[^\n]*"result":"success"|"result":"success"[^\n]*"mechanism":"GSS-SPNEGO"/);
  });

  it('refuses an account whose allowKerberos is off, and a principal without an account', async () => {
    const bob = await negotiate('bob');
    expect(bob.status).toBe(401);
    expect(bob.body).not.toMatch(/sessionId/);
    const carol = await negotiate('carol');
    expect(carol.status).toBe(401);
    expect(gw.stderr + gw.stdout).toMatch(/"account":"carol@krb\.test"[^\n]*"result":"unknown-account"/);
  });

  it('refuses a ticket for a service whose key no domain holds', async () => {
    const r = await negotiate('alice', 'other.test');
    expect(r.status).toBe(401);
    expect(gw.stderr + gw.stdout).toMatch(/"reason":"the domain has no key for the ticket service","domain":"other.test"/);
  });

  it('without a ticket curl cannot answer the challenge: 401 with Negotiate and Basic offered', async () => {
    const r = await negotiate(null);
    expect(r.status).toBe(401);
    const lower = r.headers.map((h) => h.toLowerCase());
    expect(lower).toContain('www-authenticate: negotiate');
    expect(lower).toContain('www-authenticate: basic realm="mail.example.test"');
  });

  it('a garbage Negotiate token is refused cleanly', async () => {
    const r = await run('curl', ['--silent', '-i', '-X', 'POST', '-H', 'Authorization: Negotiate YWJjZGVm', `http://127.0.0.1:${gw.ports.http}/session`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 400/);
    gw.assertAlive();
  });
});
