/**
 * SASL GSSAPI against a real MIT KDC: service keys made by kadmin, imported with `portcullis
 * kerberos import`, tickets from kinit, curl as the client. Hostnames are mapped to 127.0.0.1 with
 * curl's --connect-to, so the service principal (imap/HOST) follows the URL's host.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, type ListenerSpec } from './harness/gateway.js';
import { MitKdc } from './harness/mit-kdc.js';
import { curl, run } from './harness/run.js';
import { stopCleanly } from './harness/fixtures.js';
import { LineClient } from './harness/line-client.js';
import { RawXmpp } from './harness/xmpp.js';
import { nativeGssInitiator } from '@portcullis/kerberos';

const REALM = 'KRB.TEST';
const LOGIN_DENIED = 67;
const PASSWORDS = { alice: 'Alice-Krb-1', bob: 'Bob-Krb-1', carol: 'Carol-Krb-1' };
const LISTENERS = {
  imap: { service: 'imap', tls: 'none' },
  pop: { service: 'pop', tls: 'none' },
  smtp: { service: 'smtp', tls: 'none' },
  ldap: { service: 'ldap', tls: 'none' },
  xmpp: { service: 'xmpp', tls: 'none' },
} satisfies Record<string, ListenerSpec>;
type L = keyof typeof LISTENERS;

let kdc: MitKdc;
let gw: Gateway<L>;
const tickets: Record<string, NodeJS.ProcessEnv> = {};

beforeAll(async () => {
  kdc = await MitKdc.start(REALM);
  gw = await Gateway.start({ listeners: LISTENERS });
  for (const [user, pw] of Object.entries(PASSWORDS)) await kdc.addUser(user, pw);
  const keytab = (name: string) => path.join(kdc.dir, `${name}.keytab`);
  // krb.test answers for mail.krb.test (an alias) and holds the keys of its services
  await gw.cliOk('domain', 'create', 'krb.test', 'aliases=mail.krb.test,stale.krb.test,localhost', 'loginMethods=CLRTXT,GSSAPI');
  for (const svc of ['imap', 'pop', 'smtp']) await kdc.addService(`${svc}/mail.krb.test`, keytab('krb'));
  for (const svc of ['imap', 'ldap', 'xmpp']) await kdc.addService(`${svc}/localhost`, keytab('krb'));
  await gw.cliOk('kerberos', 'import', 'krb.test', keytab('krb'));
  // other.test exists, but its service key sits in krb.test: tickets for it must be refused
  await gw.cliOk('domain', 'create', 'other.test', 'loginMethods=CLRTXT,GSSAPI');
  await kdc.addService('imap/other.test', keytab('other'));
  await gw.cliOk('kerberos', 'import', 'krb.test', keytab('other'));
  // a key imported at kvno 2 and then changed in the KDC (kvno 3): the stored key is stale
  await kdc.addService('imap/stale.krb.test', keytab('stale'));
  await gw.cliOk('kerberos', 'import', 'krb.test', keytab('stale'));
  await kdc.kadmin(`ktadd -k ${keytab('stale-new')} imap/stale.krb.test`);
  // the listeners serve the main domain: it advertises GSSAPI
  await gw.cliOk('domain', 'set', 'example.test', 'loginMethods=CLRTXT,SCRAM,GSSAPI');
  await gw.cliOk('account', 'create', 'alice@krb.test', 'password=Unused-Pw-9');
  await gw.cliOk('account', 'create', 'bob@krb.test', 'password=Unused-Pw-9', 'allowKerberos=false');
  await gw.cliOk('account', 'create', 'alice@other.test', 'password=Unused-Pw-9');
  await gw.cliOk('account', 'create', 'dave@krb.test', 'password=Unused-Pw-9');
  for (const [user, pw] of Object.entries(PASSWORDS)) tickets[user] = await kdc.kinit(user, pw);
  // a client principal whose one name component holds an escaped @
  await kdc.addUser('e\\@vil', 'Evil-Krb-1');
  tickets.evil = await kdc.kinit('e\\@vil', 'Evil-Krb-1');
}, 60_000);

afterAll(async () => {
  await stopCleanly(gw, Object.values(PASSWORDS));
  await kdc?.stop();
});

function gssapiLogin(proto: 'imap' | 'pop3' | 'smtp', host: string, user: string) {
  const port = proto === 'imap' ? gw.ports.imap : proto === 'pop3' ? gw.ports.pop : gw.ports.smtp;
  const extra = proto === 'smtp' ? ['--mail-rcpt', `${user}@krb.test`, '--upload-file', '/dev/null'] : [];
  return curlWithTicket(tickets[user]!, [
    '--connect-to', `${host}:${port}:127.0.0.1:${port}`,
    '--login-options', 'AUTH=GSSAPI',
    '--user', `${user}@${REALM}:`,
    ...extra,
    `${proto}://${host}:${port}/`,
  ]);
}

async function curlWithTicket(env: NodeJS.ProcessEnv, args: string[]) {
  const saved = { ...process.env };
  Object.assign(process.env, { KRB5_CONFIG: env.KRB5_CONFIG, KRB5CCNAME: env.KRB5CCNAME });
  try {
    return await curl(['-v', ...args]);
  } finally {
    for (const k of ['KRB5_CONFIG', 'KRB5CCNAME']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

describe('SASL GSSAPI with curl', () => {
  it('IMAP: alice logs in with her ticket for imap/mail.krb.test (a domain alias)', async () => {
    const r = await gssapiLogin('imap', 'mail.krb.test', 'alice');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\* LIST .*INBOX/im);
    expect(r.stderr).toMatch(/AUTHENTICATE GSSAPI/);
  });

  it('the gateway log names the account and the mechanism', () => {
    expect(gw.stdout + gw.stderr).toMatch(/"account":"alice@krb\.test".*"mechanism":"GSSAPI".*"result":"success"|"mechanism":"GSSAPI".*"account":"alice@krb\.test"/);
  });

  it('refuses an account whose allowKerberos is off', async () => {
    const r = await gssapiLogin('imap', 'mail.krb.test', 'bob');
    expect(r.code, r.stderr).toBe(LOGIN_DENIED);
    expect(gw.stderr + gw.stdout).toMatch(/"account":"bob@krb\.test"[^\n]*"result":"unsupported-credential"/);
  });

  it('refuses a ticket for a principal that has no account', async () => {
    const r = await gssapiLogin('imap', 'mail.krb.test', 'carol');
    expect(r.code, r.stderr).toBe(LOGIN_DENIED);
    expect(gw.stderr + gw.stdout).toMatch(/"account":"carol@krb\.test"[^\n]*"result":"unknown-account"/);
  });

  it('refuses a ticket for a service whose key belongs to another domain', async () => {
    const r = await gssapiLogin('imap', 'other.test', 'alice');
    expect(r.code, r.stderr).toBe(LOGIN_DENIED);
    expect(gw.stderr + gw.stdout).toMatch(/"reason":"the domain has no key for the ticket service","domain":"other.test"/);
  });

  it('refuses a ticket made with a newer key version than the stored one', async () => {
    const r = await gssapiLogin('imap', 'stale.krb.test', 'alice');
    expect(r.code, r.stderr).toBe(LOGIN_DENIED);
    expect(gw.stderr + gw.stdout).toMatch(/"reason":"MIT GSS-API refused the ticket"[^\n]*kvno/i);
  });

  it('refuses a client principal with @ in its name', async () => {
    const r = await gssapiLogin('imap', 'mail.krb.test', 'evil');
    expect(r.code, r.stderr).toBe(LOGIN_DENIED);
    expect(gw.stderr + gw.stdout).toMatch(/"reason":"the client principal is not a simple name"[^\n]*"client":"e\\\\@vil@KRB\.TEST"/);
  });

  it('POP3: alice logs in with her ticket for pop/mail.krb.test', async () => {
    const r = await gssapiLogin('pop3', 'mail.krb.test', 'alice');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/AUTH GSSAPI/);
  });

  it('SMTP: alice logs in with her ticket for smtp/mail.krb.test', async () => {
    const r = await gssapiLogin('smtp', 'mail.krb.test', 'alice');
    expect(r.stderr).toMatch(/^< 235/m);
  });

  it('IMAP on localhost: the ticket for imap/localhost (a one-word host alias) works without name mapping', async () => {
    const r = await curlWithTicket(tickets.alice!, ['--login-options', 'AUTH=GSSAPI', '--user', `alice@${REALM}:`, `imap://localhost:${gw.ports.imap}/`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\* LIST .*INBOX/im);
  });
});

describe('SASL GSSAPI with ldapwhoami', () => {
  function whoami(user: string, authzid?: string) {
    const as = authzid ? ['-X', authzid] : [];
    return run('ldapwhoami', ['-H', `ldap://localhost:${gw.ports.ldap}`, '-o', 'nettimeout=10', '-Y', 'GSSAPI', '-N', '-Q', ...as], {
      timeoutMs: 20_000,
      env: { ...process.env, ...tickets[user], LDAPCONF: '/nonexistent/ldap.conf', LDAPRC: 'nonexistent-ldaprc' },
    });
  }

  it('alice binds with her ticket for ldap/localhost', async () => {
    const r = await whoami('alice');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/alice/i);
  });

  it('bob (allowKerberos off) is refused', async () => {
    const r = await whoami('bob');
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stderr).toMatch(/Invalid credentials|\(49\)|Inappropriate/i);
  });

  it('an authzid of another account needs the CanImpersonate right; then the session is that account', async () => {
    const refused = await whoami('alice', 'dave@krb.test');
    expect(refused.code, refused.stdout).not.toBe(0);
    await gw.cliOk('rights', 'grant', 'alice@krb.test', 'CanImpersonate');
    const r = await whoami('alice', 'dave@krb.test');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/dave/i);
    expect(r.stdout).not.toMatch(/alice/i);
    const log = gw.stderr + gw.stdout;
    expect(log).toMatch(/"account":"alice@krb\.test"[^\n]*"mechanism":"GSSAPI"[^\n]*"result":"impersonation-denied"/);
    expect(log).toMatch(/"account":"alice@krb\.test"[^\n]*"mechanism":"GSSAPI"[^\n]*"authzid":"dave@krb\.test","result":"success"/);
  });
});

/** A Kerberos GSS initial token naming `components@realm` whose ticket is junk. */
function forgedToken(components: string[], realm: string): Buffer {
  const tlv = (tag: number, body: Buffer): Buffer => {
    const len = body.length < 128 ? Buffer.from([body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
    return Buffer.concat([Buffer.from([tag]), len, body]);
  };
  const gstr = (v: string) => tlv(0x1b, Buffer.from(v));
  const int = (n: number) => tlv(0x02, Buffer.from([n]));
  const sname = tlv(0x30, Buffer.concat([tlv(0xa0, int(2)), tlv(0xa1, tlv(0x30, Buffer.concat(components.map(gstr))))]));
  const encPart = tlv(0x30, Buffer.concat([tlv(0xa0, int(18)), tlv(0xa1, int(2)), tlv(0xa2, tlv(0x04, Buffer.alloc(64, 7)))]));
  const ticket = tlv(0x61, tlv(0x30, Buffer.concat([tlv(0xa0, int(5)), tlv(0xa1, gstr(realm)), tlv(0xa2, sname), tlv(0xa3, encPart)])));
  const apReq = tlv(0x6e, tlv(0x30, Buffer.concat([tlv(0xa0, int(5)), tlv(0xa1, int(14)), tlv(0xa2, tlv(0x03, Buffer.from([0, 0, 0, 0, 0]))), tlv(0xa3, ticket), tlv(0xa4, encPart)])));
  const oid = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]);
  return tlv(0x60, Buffer.concat([oid, Buffer.from([0x01, 0x00]), apReq]));
}

describe('SASL GSSAPI with hostile input', () => {
  it('answers NO to junk and to a forged ticket for a real service, and the session goes on', async () => {
    const c = await LineClient.connect(gw.ports.imap);
    try {
      await c.readLine();
      c.send('a AUTHENTICATE GSSAPI');
      expect(await c.readLine()).toMatch(/^\+/);
      c.send(Buffer.from('definitely not a kerberos token').toString('base64'));
      expect(await c.readLine()).toMatch(/^a (NO|BAD) /);
      c.send(`b AUTHENTICATE GSSAPI ${forgedToken(['imap', 'mail.krb.test'], REALM).toString('base64')}`);
      expect((await c.readUntil((l) => l.startsWith('b ')))).toEqual(expect.arrayContaining([expect.stringMatching(/^b NO/)]));
      c.send('c AUTHENTICATE GSSAPI');
      expect(await c.readLine()).toMatch(/^\+/);
      c.send('*');
      expect(await c.readLine()).toMatch(/^c (NO|BAD)/);
      c.send('d NOOP');
      expect(await c.readLine()).toMatch(/^d OK/);
    } finally {
      c.close();
    }
    expect(gw.stderr + gw.stdout).toMatch(/"reason":"MIT GSS-API refused the ticket","domain":"krb\.test"/);
  });
});

describe('SASL GSSAPI on XMPP, driven by our own binding as the initiator', () => {
  const SASL_NS = "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'";
  const payload = (text: string, element: string): Buffer => {
    const m = new RegExp(`<${element}[^>]*>([^<]*)</${element}>`).exec(text);
    return Buffer.from(m?.[1] === '=' ? '' : (m?.[1] ?? ''), 'base64');
  };

  async function withTicket<T>(user: string, body: () => Promise<T>): Promise<T> {
    const saved = { KRB5_CONFIG: process.env.KRB5_CONFIG, KRB5CCNAME: process.env.KRB5CCNAME };
    Object.assign(process.env, { KRB5_CONFIG: tickets[user]!.KRB5_CONFIG, KRB5CCNAME: tickets[user]!.KRB5CCNAME });
    try {
      return await body();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  async function xmppGssapi(user: string): Promise<string> {
    const gss = nativeGssInitiator();
    return withTicket(user, async () => {
      const raw = await RawXmpp.connect(gw.ports.xmpp);
      try {
        raw.send(RawXmpp.header('krb.test'));
        const features = await raw.waitFor(/<\/stream:features>/);
        expect(features).toMatch(/<mechanism>GSSAPI<\/mechanism>/);
        const first = await gss.initiate(`xmpp/localhost@${REALM}`);
        raw.send(`<auth ${SASL_NS} mechanism='GSSAPI'>${first.output.toString('base64')}</auth>`);
        let seen = 0;
        const next = async (): Promise<string> => {
          const re = /<(challenge|success|failure)[\s\S]*?(<\/(challenge|success|failure)>|\/>)/;
          const deadline = Date.now() + 10_000;
          for (;;) {
            const rest = raw.received.slice(seen);
            const m = re.exec(rest);
            if (m) {
              seen += m.index + m[0].length;
              return m[0];
            }
            if (raw.closed || Date.now() > deadline) throw new Error(`no SASL answer: ${rest}`);
            await new Promise((r) => setTimeout(r, 20));
          }
        };
        let msg = await next();
        if (msg.startsWith('<failure')) return msg;
        // the AP-REP finishes the initiator's context; then an empty response
        const done = await gss.initiate(`xmpp/localhost@${REALM}`, payload(msg, 'challenge'), first.context);
        expect(done.complete).toBe(true);
        raw.send(`<response ${SASL_NS}/>`);
        msg = await next();
        if (msg.startsWith('<failure')) return msg;
        const offer = gss.unwrap(first.context, payload(msg, 'challenge')).data;
        expect([...offer]).toEqual([1, 0, 0, 0]);
        raw.send(`<response ${SASL_NS}>${gss.wrap(first.context, Buffer.from([1, 0, 0, 0]), false).toString('base64')}</response>`);
        const end = await next();
        gss.release(first.context);
        return end;
      } finally {
        raw.destroy();
      }
    });
  }

  it('alice logs in with her ticket for xmpp/localhost', async () => {
    expect(await xmppGssapi('alice')).toMatch(/^<success/);
    expect(gw.stderr + gw.stdout).toMatch(/"account":"alice@krb\.test","service":"xmpp","mechanism":"GSSAPI"[^\n]*"result":"success"/);
  });

  it('bob (allowKerberos off) gets a SASL failure', async () => {
    expect(await xmppGssapi('bob')).toMatch(/^<failure/);
  });
});

