/**
 * Issue 9, IMAP: after the gateway's login (its own mechanisms, its own passwords) the session
 * continues on a real Dovecot, reached with a master user (STARTTLS verified with Dovecot's CA),
 * over implicit TLS after a dead first host, with the client's own password (passthrough), and
 * behind a PROXY v2 header. Dovecot stopped: NO [UNAVAILABLE], and back to normal once it returns.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dovecot, KNOWN_BODY_LINE, KNOWN_SUBJECT } from './harness/dovecot.js';
import { createAccount, stopCleanly } from './harness/fixtures.js';
import { Gateway } from './harness/gateway.js';
import { LineClient } from './harness/line-client.js';
import { freePorts } from './harness/ports.js';
import { curl, python } from './harness/run.js';

const ALICE = { address: 'alice@example.test', password: 'Alice-Gateway-1', upstream: 'alice-upstream-1' };
/** passthrough: the same password at the gateway and upstream */
const BOB = { address: 'bob@example.test', password: 'Bob-Shared-1' };
const CAROL = { address: 'carol@example.test', password: 'Carol-Gateway-1', upstream: 'carol-upstream-1' };
const DAVE = { address: 'dave@example.test', password: 'Dave-Gateway-1', upstream: 'dave-upstream-1' };
/** locked out after 2 failures: the gateway's policies still decide before any relay */
const ERIN = { address: 'erin@example.test', password: 'Erin-Gateway-1' };
/** a loopback address other than the gateway's own, so that Dovecot's log can only learn it from the relay */
const CLIENT_ADDRESS = '127.0.0.5';

interface FetchOut {
  ok: boolean;
  error: string | null;
  exists: number;
  message: string;
  capabilities: string[];
}

let dovecot: Dovecot;
let gw: Gateway<'imap' | 'imaps' | 'imapStarttls' | 'http'>;
let deadPort: number;

beforeAll(async () => {
  dovecot = await Dovecot.start({
    users: [
      { name: ALICE.address, password: ALICE.upstream },
      { name: BOB.address, password: BOB.password },
      { name: CAROL.address, password: CAROL.upstream },
      { name: DAVE.address, password: DAVE.upstream },
      { name: ERIN.address, password: 'erin-upstream-1' },
    ],
  });
  [deadPort] = (await freePorts(1)) as [number];
  gw = await Gateway.start({
    listeners: {
      imap: { service: 'imap', tls: 'none' },
      imaps: { service: 'imap', tls: 'implicit' },
      imapStarttls: { service: 'imap', tls: 'starttls' },
      http: { service: 'http', tls: 'none' },
    },
    // short enough to be seen in a test, longer than any exchange here
    config: { relay: { idleTimeout: 3, connectTimeout: 2, loginTimeout: 5 } },
  });
  const caFile = path.join(gw.dir, 'dovecot-ca.pem');
  await fs.writeFile(caFile, dovecot.caPem);
  // the domain's upstream: Dovecot with STARTTLS, verified with its CA, master user login
  await gw.cliOk(
    'domain', 'set', 'example.test',
    'upstream.imap.host=127.0.0.1', `upstream.imap.port=${dovecot.ports.imap}`, 'upstream.imap.tls=starttls',
    `upstream.imap.ca=@${caFile}`, 'upstream.imap.login=master',
    `upstream.imap.masterUser=${dovecot.masterUser}`, `upstream.imap.masterPassword=${dovecot.masterPassword}`,
  );
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, BOB.address, BOB.password, 'upstream.imap.login=passthrough');
  // the first host refuses connections; the second is Dovecot's implicit-TLS port
  await createAccount(
    gw, CAROL.address, CAROL.password,
    `upstream.imap.host=127.0.0.1:${deadPort},127.0.0.1:${dovecot.ports.imaps}`, 'upstream.imap.tls=implicit',
  );
  await createAccount(gw, ERIN.address, ERIN.password, 'failedLoginLimit=2', 'failedLoginPeriod=600');
  await createAccount(gw, DAVE.address, DAVE.password, `upstream.imap.host=127.0.0.1:${dovecot.ports.imapHaproxy}`, 'upstream.imap.tls=none', 'upstream.imap.login=proxy');
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, BOB.password, CAROL.password, DAVE.password, dovecot.masterPassword]);
  await dovecot?.destroy();
});

function curlFetch(mechanism: string, user: string, password: string, extra: string[] = []) {
  return curl([...extra, '--login-options', `AUTH=${mechanism}`, '--user', `${user}:${password}`, `imap://127.0.0.1:${gw.ports.imap}/INBOX;UID=1`]);
}

function imaplibFetch(method: string, user: string, password: string): Promise<FetchOut> {
  return python<FetchOut>('imap_fetch.py', { host: '127.0.0.1', port: gw.ports.imap, method, user, password });
}

/** a raw login; answers the tagged reply line */
async function rawLogin(user: string, password: string): Promise<{ client: LineClient; reply: string }> {
  const client = await LineClient.connect(gw.ports.imap);
  await client.readLine();
  client.send(`a LOGIN ${user} ${password}`);
  const lines = await client.readUntil((l) => l.startsWith('a '));
  return { client, reply: lines.at(-1)! };
}

async function metric(name: string, labels: string): Promise<number> {
  const r = await curl([`http://127.0.0.1:${gw.ports.http}/metrics`]);
  const line = r.stdout.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('IMAP relayed to Dovecot with a master user', () => {
  it.each(['PLAIN', 'CRAM-MD5', 'DIGEST-MD5'])('curl logs in with %s at the gateway and fetches the message from Dovecot', async (mechanism) => {
    const r = await curlFetch(mechanism, ALICE.address, ALICE.password);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(KNOWN_BODY_LINE);
    expect(r.stdout).toContain(`Subject: ${KNOWN_SUBJECT}`);
  });

  it('relays TLS clients too: implicit TLS and STARTTLS at the gateway', async () => {
    const login = ['--login-options', 'AUTH=PLAIN', '--user', `${ALICE.address}:${ALICE.password}`];
    const implicit = await curl([...login, '-k', `imaps://127.0.0.1:${gw.ports.imaps}/INBOX;UID=1`]);
    expect(implicit.code, implicit.stderr).toBe(0);
    expect(implicit.stdout).toContain(KNOWN_BODY_LINE);
    const starttls = await curl([...login, '-k', '--ssl-reqd', `imap://127.0.0.1:${gw.ports.imapStarttls}/INBOX;UID=1`]);
    expect(starttls.code, starttls.stderr).toBe(0);
    expect(starttls.stdout).toContain(KNOWN_BODY_LINE);
  });

  it('does not relay a wrong gateway password (the upstream password is not the gateway one)', async () => {
    const r = await curlFetch('PLAIN', ALICE.address, ALICE.upstream);
    expect(r.code).toBe(67);
  });

  it.each(['login', 'plain', 'cram-md5'])('imaplib logs in with %s and fetches the message', async (method) => {
    const out = await imaplibFetch(method, ALICE.address, ALICE.password);
    expect(out.error).toBeNull();
    expect(out.exists).toBe(1);
    expect(out.message).toContain(KNOWN_BODY_LINE);
    // Dovecot's capabilities, not the built-in session's
    expect(out.capabilities).toContain('SORT');
  });

  it("answers the login with the upstream's capabilities, and relays pipelined commands", async () => {
    const client = await LineClient.connect(gw.ports.imap);
    await client.readLine();
    // LOGIN and SELECT in one packet: the SELECT is read by the gateway before the relay begins
    client.sendRaw(`a LOGIN ${ALICE.address} ${ALICE.password}\r\nb SELECT INBOX\r\n`);
    const login = await client.readUntil((l) => l.startsWith('a '));
    expect(login.at(-1)).toMatch(/^a OK \[CAPABILITY IMAP4rev1 .*SORT.*\] /);
    const select = await client.readUntil((l) => l.startsWith('b '));
    expect(select).toContain('* 1 EXISTS');
    expect(select.at(-1)).toMatch(/^b OK \[READ-WRITE\]/);
    client.send('c LOGOUT');
    const bye = await client.readUntil((l) => l.startsWith('c '));
    expect(bye.some((l) => l.startsWith('* BYE'))).toBe(true);
    expect(await client.waitClosed(5000)).toBe(true);
  });

  it("puts the client's address into Dovecot's log (ID x-originating-ip)", async () => {
    const r = await curlFetch('PLAIN', ALICE.address, ALICE.password, ['--interface', CLIENT_ADDRESS]);
    expect(r.code, r.stderr).toBe(0);
    const log = await dovecot.log();
    expect(log).toMatch(new RegExp(`Login: user=<${ALICE.address}>.*rip=${CLIENT_ADDRESS.replace(/\./g, '\\.')}`));
  });

  it('counts relayed logins', async () => {
    expect(await metric('portcullis_relay_logins_total', 'result="relayed"')).toBeGreaterThan(0);
  });
});

describe('upstream settings', () => {
  it('show never prints the master password, and says it is set', async () => {
    const domain = await gw.cliOk('domain', 'show', 'example.test');
    expect(domain.stdout).toContain(`port: ${dovecot.ports.imap}`);
    expect(domain.stdout).toMatch(/masterPassword: "?\(set\)"?/);
    expect(domain.stdout).not.toContain(dovecot.masterPassword);
    await gw.cliOk('account', 'set', DAVE.address, `upstream.imap.masterPassword=${dovecot.masterPassword}`);
    const account = await gw.cliOk('account', 'show', DAVE.address);
    expect(account.stdout).toContain('login: proxy');
    expect(account.stdout).not.toContain(dovecot.masterPassword);
  });

  it('refuses bad upstream values with a clear message', async () => {
    const r = await gw.cli('account', 'set', ALICE.address, 'upstream.imap.tls=sometimes');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/upstream\.imap\.tls.*none, starttls, implicit/);
    const h = await gw.cli('account', 'set', ALICE.address, 'upstream.pop.host=bad host!');
    expect(h.code).not.toBe(0);
    expect(h.stderr).toMatch(/upstream\.pop\.host/);
  });
});

describe('gateway policies in front of the upstream', () => {
  it('a locked-out account is refused by the gateway and never reaches Dovecot', async () => {
    const before = await metric('portcullis_relay_logins_total', 'result="relayed"');
    for (let i = 0; i < 2; i++) expect((await rawLogin(ERIN.address, 'wrong-password')).reply).toMatch(/^a NO/);
    const { reply } = await rawLogin(ERIN.address, ERIN.password);
    // the gateway's own lockout answer, not the relay's temporary failure
    expect(reply).toMatch(/^a NO .*locked/);
    expect(await metric('portcullis_relay_logins_total', 'result="relayed"')).toBe(before);
    expect(await dovecot.log()).not.toContain(`user=<${ERIN.address}>`);
  });
});

describe('other upstream login modes', () => {
  it('passthrough: replays the client password after LOGIN', async () => {
    const out = await imaplibFetch('login', BOB.address, BOB.password);
    expect(out.error).toBeNull();
    expect(out.message).toContain(KNOWN_BODY_LINE);
  });

  it('passthrough: replays the password of an AUTHENTICATE PLAIN too', async () => {
    const out = await imaplibFetch('plain', BOB.address, BOB.password);
    expect(out.error).toBeNull();
    expect(out.message).toContain(KNOWN_BODY_LINE);
  });

  it('passthrough: a login without a cleartext password gets NO [UNAVAILABLE]', async () => {
    const out = await imaplibFetch('cram-md5', BOB.address, BOB.password);
    expect(out.error).toMatch(/UNAVAILABLE/);
  });

  it('tries the hosts in order: the first is dead, the second (implicit TLS) serves', async () => {
    const out = await imaplibFetch('plain', CAROL.address, CAROL.password);
    expect(out.error).toBeNull();
    expect(out.message).toContain(KNOWN_BODY_LINE);
    expect(await metric('portcullis_relay_upstream_failures_total', 'kind="unreachable"')).toBeGreaterThan(0);
  });

  it("proxy: a PROXY v2 header carries the client's address, then the master login", async () => {
    const r = await curlFetch('PLAIN', DAVE.address, DAVE.password, ['--interface', CLIENT_ADDRESS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(KNOWN_BODY_LINE);
    const log = await dovecot.log();
    expect(log).toMatch(new RegExp(`Login: user=<${DAVE.address}>.*rip=${CLIENT_ADDRESS.replace(/\./g, '\\.')}`));
  });
});

describe('relayed session limits', () => {
  it('ends a relayed session that stays silent for relay.idleTimeout', async () => {
    const { client, reply } = await rawLogin(ALICE.address, ALICE.password);
    expect(reply).toMatch(/^a OK/);
    client.send('b NOOP');
    expect((await client.readUntil((l) => l.startsWith('b '))).at(-1)).toMatch(/^b OK/);
    const started = Date.now();
    expect(await client.waitClosed(10_000)).toBe(true);
    const quiet = Date.now() - started;
    expect(quiet).toBeGreaterThanOrEqual(2500);
    expect(quiet).toBeLessThan(8000);
  });
});

describe('Dovecot going away', () => {
  it('answers NO [UNAVAILABLE] while Dovecot is down, stays up, and relays again once it is back', async () => {
    const before = await metric('portcullis_relay_logins_total', 'result="unavailable"');
    await dovecot.stop();
    const { client, reply } = await rawLogin(ALICE.address, ALICE.password);
    expect(reply).toMatch(/^a NO \[UNAVAILABLE\] /);
    // the session stays usable: the client may try again
    client.send('b NOOP');
    expect(await client.readLine()).toMatch(/^b OK/);
    client.close();
    gw.assertAlive();
    expect(await metric('portcullis_relay_logins_total', 'result="unavailable"')).toBe(before + 1);

    await dovecot.restart();
    const r = await curlFetch('PLAIN', ALICE.address, ALICE.password);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(KNOWN_BODY_LINE);
  });

  it('a relayed session ends for the client when Dovecot goes away under it', async () => {
    const { client, reply } = await rawLogin(ALICE.address, ALICE.password);
    expect(reply).toMatch(/^a OK/);
    await dovecot.stop();
    expect(await client.waitClosed(10_000)).toBe(true);
    gw.assertAlive();
    await dovecot.restart();
  });
});
