/**
 * WebUser sessions on the http listener (curl), and the SESSIONID method that uses them: IMAP
 * AUTHENTICATE SESSIONID from Python's imaplib, PWD AUTH SESSIONID over a raw connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Gateway, MAIN_DOMAIN, SERVER_NAME } from './harness/gateway.js';
import { curl, run } from './harness/run.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import { pwdCommand, pwdConnect } from './harness/pwd.js';

const BOB = { address: 'bob@example.test', password: 'Bob-Secret-2' };
const POPONLY = { address: 'poponly@example.test', password: 'PopOnly-Secret-3' };

const LISTENERS = {
  http: { service: 'http', tls: 'none' },
  https: { service: 'http', tls: 'implicit' },
  imap: { service: 'imap', tls: 'none' },
  pwd: { service: 'pwd', tls: 'none' },
  smtp: { service: 'smtp', tls: 'none' },
} as const;

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, BOB.address, BOB.password);
  await createAccount(gw, POPONLY.address, POPONLY.password, 'enabledServices=pop');
}, 60_000);

/** every session ID handed out: like passwords, none may appear in the server's log */
const issued: string[] = [];

afterAll(async () => {
  expect(issued.length).toBeGreaterThan(5);
  await stopCleanly(gw, [ALICE.password, BOB.password, POPONLY.password, WRONG_PASSWORD, ...issued]);
});

const base = (): string => `http://127.0.0.1:${gw.ports.http}`;

interface HttpReply {
  status: number;
  headers: string[];
  body: string;
}

/** curl -i: the status, the header lines, the body. */
async function http(args: string[]): Promise<HttpReply> {
  return remember(await rawHttp(args));
}

async function rawHttp(args: string[]): Promise<HttpReply> {
  const r = await curl(['-i', ...args]);
  expect(r.code, r.stderr).toBe(0);
  // a 100 Continue (or the proxy's) head may come first: the last head is the answer
  const text = r.stdout;
  const parts = text.split('\r\n\r\n');
  let i = 0;
  while (i < parts.length - 1 && /^HTTP\/1\.1 100/.test(parts[i]!)) i++;
  const head = parts[i]!.split('\r\n');
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head[0]!)?.[1]);
  return { status, headers: head.slice(1), body: parts.slice(i + 1).join('\r\n\r\n') };
}

function header(reply: HttpReply, name: string): string[] {
  const prefix = `${name.toLowerCase()}:`;
  return reply.headers.filter((h) => h.toLowerCase().startsWith(prefix)).map((h) => h.slice(prefix.length).trim());
}

async function jsonLogin(user: string, password: string): Promise<HttpReply> {
  return http(['-X', 'POST', '-H', 'Content-Type: application/json', '--data', JSON.stringify({ user, password }), `${base()}/session`]);
}

function remember(r: HttpReply): HttpReply {
  const id = /portcullis_session=([A-Za-z0-9_-]+)/.exec(header(r, 'set-cookie')[0] ?? '')?.[1];
  if (id) issued.push(id);
  return r;
}

async function sessionOf(user: string, password: string): Promise<string> {
  const r = await jsonLogin(user, password);
  expect(r.status, r.body).toBe(200);
  return (JSON.parse(r.body) as { sessionId: string }).sessionId;
}

/** imaplib: CAPABILITY, then AUTHENTICATE SESSIONID with `user id`; the outcome as JSON. */
const IMAPLIB_SESSIONID = `
import imaplib, json, sys
a = json.loads(sys.argv[1])
out = {"ok": False, "error": None, "capabilities": []}
conn = imaplib.IMAP4(a["host"], a["port"], timeout=15)
try:
    out["capabilities"] = list(conn.capabilities)
    typ, _ = conn.authenticate("SESSIONID", lambda _c: ("%s %s" % (a["user"], a["id"])).encode())
    typ, _ = conn.select("INBOX")
    out["ok"] = typ == "OK"
    conn.logout()
except Exception as e:
    out["error"] = "%s: %s" % (type(e).__name__, e)
    try:
        conn.shutdown()
    except Exception:
        pass
print(json.dumps(out))
`;

async function imapSessionId(user: string, id: string): Promise<{ ok: boolean; error: string | null; capabilities: string[] }> {
  const r = await run('python3', ['-c', IMAPLIB_SESSIONID, JSON.stringify({ host: '127.0.0.1', port: gw.ports.imap, user, id })]);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as { ok: boolean; error: string | null; capabilities: string[] };
  } catch {
    throw new Error(`imaplib gave no JSON: ${r.stdout}\n${r.stderr}`);
  }
}

/** smtplib: EHLO, then AUTH SESSIONID with the initial response; the reply code or the error. */
const SMTPLIB_SESSIONID = `
import smtplib, json, sys
a = json.loads(sys.argv[1])
out = {"code": None, "error": None, "ehlo": ""}
s = smtplib.SMTP(a["host"], a["port"], timeout=15)
try:
    s.ehlo()
    out["ehlo"] = s.ehlo_resp.decode()
    code, _ = s.auth("SESSIONID", lambda challenge=None: "%s %s" % (a["user"], a["id"]), initial_response_ok=True)
    out["code"] = code
    s.quit()
except Exception as e:
    out["error"] = "%s: %s" % (type(e).__name__, e)
    s.close()
print(json.dumps(out))
`;

async function smtpSessionId(user: string, id: string): Promise<{ code: number | null; error: string | null; ehlo: string }> {
  const r = await run('python3', ['-c', SMTPLIB_SESSIONID, JSON.stringify({ host: '127.0.0.1', port: gw.ports.smtp, user, id })]);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as { code: number | null; error: string | null; ehlo: string };
  } catch {
    throw new Error(`smtplib gave no JSON: ${r.stdout}\n${r.stderr}`);
  }
}

async function pwdSessionId(user: string, id: string): Promise<string> {
  const { c } = await pwdConnect(gw.ports.pwd);
  try {
    return await pwdCommand(c, `AUTH SESSIONID ${user} ${id}`);
  } finally {
    c.close();
  }
}

describe('POST /session', () => {
  it('logs in with JSON and returns a session, with a HttpOnly SameSite=Strict cookie', async () => {
    const before = Date.now();
    const r = await jsonLogin(ALICE.address, ALICE.password);
    expect(r.status, r.body).toBe(200);
    const body = JSON.parse(r.body) as { sessionId: string; account: string; expiresAt: number };
    expect(body.account).toBe(ALICE.address);
    expect(body.sessionId).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    // default lifetime 1800 s
    expect(body.expiresAt).toBeGreaterThanOrEqual(before + 1799_000);
    expect(body.expiresAt).toBeLessThanOrEqual(Date.now() + 1800_000);
    const cookie = header(r, 'set-cookie');
    expect(cookie).toHaveLength(1);
    expect(cookie[0]).toMatch(new RegExp(`^portcullis_session=${body.sessionId}; HttpOnly; SameSite=Strict; Path=/`));
    expect(cookie[0]).not.toMatch(/Secure/);
    expect(header(r, 'cache-control')).toEqual(['no-store']);
  });

  it('logs in with an HTML form post (the one GET /login shows), and follows a local `next`', async () => {
    const page = await http([`${base()}/login`]);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<form method="post" action="\/session">/);
    expect(page.body).toMatch(/name="user"/);
    expect(page.body).toMatch(/name="password" type="password"/);

    const r = await http(['--data-urlencode', `user=${ALICE.address}`, '--data-urlencode', `password=${ALICE.password}`, `${base()}/session`]);
    expect(r.status, r.body).toBe(200);
    expect((JSON.parse(r.body) as { account: string }).account).toBe(ALICE.address);

    const next = await http(['--data-urlencode', `user=${ALICE.address}`, '--data-urlencode', `password=${ALICE.password}`, '--data-urlencode', 'next=/admin/', `${base()}/session`]);
    expect(next.status).toBe(303);
    expect(header(next, 'location')).toEqual(['/admin/']);
    expect(header(next, 'set-cookie')[0]).toMatch(/^portcullis_session=/);
    // never a redirect to another site
    const offsite = await http(['--data-urlencode', `user=${ALICE.address}`, '--data-urlencode', `password=${ALICE.password}`, '--data-urlencode', 'next=//evil.example/', `${base()}/session`]);
    expect(offsite.status).toBe(200);
  });

  it('logs in with HTTP Basic (curl -u)', async () => {
    const r = await http(['-X', 'POST', '-u', `${ALICE.address}:${ALICE.password}`, `${base()}/session`]);
    expect(r.status, r.body).toBe(200);
    expect((JSON.parse(r.body) as { account: string }).account).toBe(ALICE.address);
  });

  it('answers 401 with the Negotiate and Basic challenges when there are no credentials', async () => {
    const r = await http(['-X', 'POST', `${base()}/session`]);
    expect(r.status).toBe(401);
    expect(header(r, 'www-authenticate')).toEqual(['Negotiate', `Basic realm="${SERVER_NAME}"`]);
    expect(JSON.parse(r.body)).toEqual({ error: 'authentication required' });
  });

  it('refuses wrong credentials with 401 and nothing that tells an unknown account apart (hideUnknownAccount)', async () => {
    await gw.cliOk('server', 'set', 'hideUnknownAccount=true');
    try {
      const wrong = await jsonLogin(ALICE.address, WRONG_PASSWORD);
      const unknown = await jsonLogin(UNKNOWN, WRONG_PASSWORD);
      const basic = await http(['-X', 'POST', '-u', `${ALICE.address}:${WRONG_PASSWORD}`, `${base()}/session`]);
      for (const r of [wrong, unknown, basic]) {
        expect(r.status).toBe(401);
        expect(r.body).not.toContain(WRONG_PASSWORD);
        expect(header(r, 'set-cookie')).toEqual([]);
      }
      expect(wrong.body).toBe(unknown.body);
      expect(JSON.parse(wrong.body)).toEqual({ error: 'incorrect account name or password' });
    } finally {
      await gw.cliOk('server', 'set', 'hideUnknownAccount=false');
    }
  });

  it('refuses an account without the http service, and bad bodies with 400', async () => {
    const r = await jsonLogin(POPONLY.address, POPONLY.password);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({ error: 'this service is not enabled for the account' });
    const bad = await http(['-X', 'POST', '-H', 'Content-Type: application/json', '--data', '{"user":1}', `${base()}/session`]);
    expect(bad.status).toBe(400);
    const garbage = await http(['-X', 'POST', '-H', 'Content-Type: application/json', '--data', '{not json', `${base()}/session`]);
    expect(garbage.status).toBe(400);
    const badAuth = await http(['-X', 'POST', '-H', 'Authorization: Basic !!!', `${base()}/session`]);
    expect(badAuth.status).toBe(400);
    gw.assertAlive();
  });
});

describe('using and closing a session', () => {
  it('works as Authorization: Bearer and as the cookie; DELETE /session closes it', async () => {
    const id = await sessionOf(ALICE.address, ALICE.password);
    const bearer = await http(['-H', `Authorization: Bearer ${id}`, `${base()}/session`]);
    expect(bearer.status, bearer.body).toBe(200);
    expect(JSON.parse(bearer.body)).toMatchObject({ account: ALICE.address });

    const jar = path.join(gw.dir, 'cookies.txt');
    const login = await http(['-c', jar, '-X', 'POST', '-H', 'Content-Type: application/json', '--data', JSON.stringify({ user: BOB.address, password: BOB.password }), `${base()}/session`]);
    expect(login.status).toBe(200);
    expect(await fs.readFile(jar, 'utf8')).toMatch(/#HttpOnly_127\.0\.0\.1\s.*portcullis_session/);
    const byCookie = await http(['-b', jar, `${base()}/session`]);
    expect(byCookie.status).toBe(200);
    expect(JSON.parse(byCookie.body)).toMatchObject({ account: BOB.address });

    const closed = await http(['-b', jar, '-c', jar, '-X', 'DELETE', `${base()}/session`]);
    expect(closed.status).toBe(204);
    expect(header(closed, 'set-cookie')[0]).toMatch(/^portcullis_session=; .*Max-Age=0/);
    const after = await http(['-H', `Cookie: portcullis_session=${(JSON.parse(login.body) as { sessionId: string }).sessionId}`, `${base()}/session`]);
    expect(after.status).toBe(401);

    // Alice's session is untouched by Bob's logout, then closed by Bearer
    expect((await http(['-H', `Authorization: Bearer ${id}`, `${base()}/session`])).status).toBe(200);
    expect((await http(['-X', 'DELETE', '-H', `Authorization: Bearer ${id}`, `${base()}/session`])).status).toBe(204);
    expect((await http(['-H', `Authorization: Bearer ${id}`, `${base()}/session`])).status).toBe(401);
  });

  it('GET /session without a session is 401; a made-up ID is 401', async () => {
    expect((await http([`${base()}/session`])).status).toBe(401);
    expect((await http(['-H', 'Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAA', `${base()}/session`])).status).toBe(401);
    // Basic proves who you are but is not a session
    expect((await http(['-u', `${ALICE.address}:${ALICE.password}`, `${base()}/session`])).status).toBe(401);
  });

  it('over TLS the cookie is Secure', async () => {
    const r = await http(['-k', '-X', 'POST', '-u', `${ALICE.address}:${ALICE.password}`, `https://127.0.0.1:${gw.ports.https}/session`]);
    expect(r.status).toBe(200);
    expect(header(r, 'set-cookie')[0]).toMatch(/; Secure$/);
  });

  it('webUserSessionTTL is an idle lifetime: every use starts it again', async () => {
    await gw.cliOk('server', 'set', 'webUserSessionTTL=2');
    try {
      const id = await sessionOf(ALICE.address, ALICE.password);
      const get = () => http(['-H', `Authorization: Bearer ${id}`, `${base()}/session`]);
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1200));
        expect((await get()).status, `use ${i + 1}`).toBe(200);
      }
      // 3.6 s after login: alive only because it was used; now left idle past the TTL
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect((await get()).status).toBe(401);
    } finally {
      await gw.cliOk('server', 'set', 'webUserSessionTTL=1800');
    }
  });

  it('expires after webUserSessionTTL seconds (for HTTP and for SESSIONID)', async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,SESSIONID');
    await gw.cliOk('server', 'set', 'webUserSessionTTL=1');
    try {
      const r = await jsonLogin(ALICE.address, ALICE.password);
      const body = JSON.parse(r.body) as { sessionId: string; expiresAt: number };
      expect(body.expiresAt).toBeLessThanOrEqual(Date.now() + 1000);
      // a browser-session cookie: the server's sliding expiry decides, not the cookie
      expect(header(r, 'set-cookie')[0]).not.toMatch(/Max-Age/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await http(['-H', `Authorization: Bearer ${body.sessionId}`, `${base()}/session`])).status).toBe(401);
      expect(await pwdSessionId(ALICE.address, body.sessionId)).toMatch(/^500 /);
    } finally {
      await gw.cliOk('server', 'set', 'webUserSessionTTL=1800');
      await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,CRAM-MD5,DIGEST-MD5,APOP,SCRAM');
    }
  });
});

describe('SESSIONID', () => {
  it('IMAP AUTHENTICATE SESSIONID (imaplib) works only once the domain has the SESSIONID Login Method', async () => {
    const id = await sessionOf(ALICE.address, ALICE.password);
    const off = await imapSessionId(ALICE.address, id);
    expect(off.capabilities).not.toContain('AUTH=SESSIONID');
    expect(off.ok).toBe(false);
    expect(off.error).toMatch(/\[CANNOT\] this authentication mechanism is not available/);

    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,SESSIONID');
    try {
      const on = await imapSessionId(ALICE.address, id);
      expect(on.capabilities).toContain('AUTH=SESSIONID');
      expect(on, JSON.stringify(on)).toMatchObject({ ok: true, error: null });
    } finally {
      await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,CRAM-MD5,DIGEST-MD5,APOP,SCRAM');
    }
  });

  it("refuses another account's session and a closed one (IMAP and PWD)", async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,SESSIONID');
    try {
      const alice = await sessionOf(ALICE.address, ALICE.password);
      const bob = await sessionOf(BOB.address, BOB.password);
      expect((await imapSessionId(ALICE.address, bob)).ok).toBe(false);
      expect(await pwdSessionId(ALICE.address, bob)).toMatch(/^500 /);
      expect((await imapSessionId(BOB.address, bob)).ok).toBe(true);

      expect((await http(['-X', 'DELETE', '-H', `Authorization: Bearer ${alice}`, `${base()}/session`])).status).toBe(204);
      const closed = await imapSessionId(ALICE.address, alice);
      expect(closed.ok).toBe(false);
      expect(closed.error).toMatch(/\[AUTHENTICATIONFAILED\]/);
      expect(await pwdSessionId(ALICE.address, alice)).toMatch(/^500 /);
    } finally {
      await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,CRAM-MD5,DIGEST-MD5,APOP,SCRAM');
    }
  });

  it('SMTP AUTH SESSIONID (smtplib) goes through the same mechanism registry', async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,SESSIONID');
    try {
      const id = await sessionOf(ALICE.address, ALICE.password);
      const ok = await smtpSessionId(ALICE.address, id);
      expect(ok.ehlo).toMatch(/AUTH .*SESSIONID/);
      expect(ok, JSON.stringify(ok)).toMatchObject({ code: 235, error: null });
      const bob = await sessionOf(BOB.address, BOB.password);
      const refused = await smtpSessionId(ALICE.address, bob);
      expect(refused.error).toMatch(/SMTPAuthenticationError: \(535/);
    } finally {
      await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,CRAM-MD5,DIGEST-MD5,APOP,SCRAM');
    }
  });

  it('PWD AUTH SESSIONID opens the account, and NEWPASS then works', async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,SESSIONID');
    try {
      const id = await sessionOf(BOB.address, BOB.password);
      const { c } = await pwdConnect(gw.ports.pwd);
      try {
        expect(await pwdCommand(c, `AUTH SESSIONID ${BOB.address} ${id}`)).toMatch(/^200 /);
        expect(await pwdCommand(c, `NEWPASS ${BOB.password}`)).toMatch(/^200 /);
      } finally {
        c.close();
      }
      // without the Login Method the same session is refused
      await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT');
      expect(await pwdSessionId(BOB.address, id)).toMatch(/^500 /);
    } finally {
      await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,CRAM-MD5,DIGEST-MD5,APOP,SCRAM');
    }
  });
});
