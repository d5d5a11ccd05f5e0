/**
 * Domain Login Methods decide what CAPABILITY, CAPA and the POP greeting advertise, never what
 * works; changes made by the CLI show on the next connection of the running server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { imapAuthenticate, imapCapabilitiesAt, imapConnect, imapLogin } from './harness/imap.js';
import { apopTimestamp, popAuth, popCapa, popCommand, popConnect, popSaslMechanisms, popUserPass } from './harness/pop.js';
import { apopDigest, cramResponder, plainResponder } from './harness/sasl.js';
import { ALICE, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';

let gw: Gateway;

beforeAll(async () => {
  gw = await Gateway.start();
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD]);
});

const imapCaps = (): Promise<string[]> => imapCapabilitiesAt(gw.ports.imap);

describe('Login Methods', () => {
  it('by default advertise PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5, SCRAM and the APOP timestamp', async () => {
    const caps = await imapCaps();
    for (const m of ['AUTH=PLAIN', 'AUTH=LOGIN', 'AUTH=CRAM-MD5', 'AUTH=DIGEST-MD5', 'AUTH=SCRAM-SHA-256']) expect(caps).toContain(m);
    expect(caps).not.toContain('LOGINDISABLED');
    const { c, greeting } = await popConnect(gw.ports.pop);
    try {
      expect(apopTimestamp(greeting)).toBeDefined();
      const sasl = popSaslMechanisms(await popCapa(c));
      for (const m of ['PLAIN', 'LOGIN', 'CRAM-MD5', 'DIGEST-MD5']) expect(sasl).toContain(m);
    } finally {
      c.close();
    }
  });

  it('CRAM-MD5 only: hides PLAIN and LOGIN and the APOP timestamp, yet PLAIN, LOGIN, USER/PASS still work', async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CRAM-MD5');
    const caps = await imapCaps();
    expect(caps).toContain('AUTH=CRAM-MD5');
    expect(caps).not.toContain('AUTH=PLAIN');
    expect(caps).not.toContain('AUTH=LOGIN');
    expect(caps).not.toContain('AUTH=DIGEST-MD5');

    const { c } = await imapConnect(gw.ports.imap);
    try {
      const plain = await imapAuthenticate(c, 'PLAIN', plainResponder(ALICE.address, ALICE.password));
      expect(plain.ok, plain.status).toBe(true);
    } finally {
      c.close();
    }
    const { c: c2 } = await imapConnect(gw.ports.imap);
    try {
      expect((await imapLogin(c2, ALICE.address, ALICE.password)).ok).toBe(true);
    } finally {
      c2.close();
    }

    const { c: p, greeting } = await popConnect(gw.ports.pop);
    try {
      expect(apopTimestamp(greeting)).toBeUndefined();
      const sasl = popSaslMechanisms(await popCapa(p));
      expect(sasl).toEqual(['CRAM-MD5']);
      const r = await popAuth(p, 'PLAIN', plainResponder(ALICE.address, ALICE.password));
      expect(r.ok, r.status).toBe(true);
    } finally {
      p.close();
    }
    const { c: p2 } = await popConnect(gw.ports.pop);
    try {
      expect((await popUserPass(p2, ALICE.address, ALICE.password)).pass).toMatch(/^\+OK/);
    } finally {
      p2.close();
    }
  });

  it('APOP decides the POP greeting timestamp, and APOP with it logs in', async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=APOP');
    const { c, greeting } = await popConnect(gw.ports.pop);
    try {
      const ts = apopTimestamp(greeting);
      expect(ts, greeting).toBeDefined();
      expect(popSaslMechanisms(await popCapa(c))).toEqual([]);
      const bad = await popCommand(c, `APOP ${ALICE.address} ${apopDigest(ts!, WRONG_PASSWORD)}`);
      expect(bad).toMatch(/^-ERR/);
      const good = await popCommand(c, `APOP ${ALICE.address} ${apopDigest(ts!, ALICE.password)}`);
      expect(good).toMatch(/^\+OK/);
    } finally {
      c.close();
    }
    const caps = await imapCaps();
    expect(caps.filter((x) => x.startsWith('AUTH='))).toEqual([]);
  });

  it('two greetings never share a timestamp', async () => {
    const a = await popConnect(gw.ports.pop);
    const b = await popConnect(gw.ports.pop);
    a.c.close();
    b.c.close();
    expect(apopTimestamp(a.greeting)).toBeDefined();
    expect(apopTimestamp(a.greeting)).not.toBe(apopTimestamp(b.greeting));
  });

  it('CLRTXT,DIGEST-MD5 brings PLAIN, LOGIN and DIGEST-MD5 back, without CRAM-MD5; CRAM-MD5 still works', async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,DIGEST-MD5');
    const caps = await imapCaps();
    expect(caps).toContain('AUTH=PLAIN');
    expect(caps).toContain('AUTH=LOGIN');
    expect(caps).toContain('AUTH=DIGEST-MD5');
    expect(caps).not.toContain('AUTH=CRAM-MD5');
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const r = await imapAuthenticate(c, 'CRAM-MD5', cramResponder(ALICE.address, ALICE.password));
      expect(r.ok, r.status).toBe(true);
    } finally {
      c.close();
    }
  });

  it('refuses an unknown login method by name', async () => {
    const r = await gw.cli('domain', 'set', MAIN_DOMAIN, 'loginMethods=CRAM-MD5,BOGUS-METHOD');
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/BOGUS-METHOD|loginMethods/);
    // the bad command changed nothing
    expect(await imapCaps()).toContain('AUTH=DIGEST-MD5');
  });

  it('domain show reports the login methods the CLI set', async () => {
    const r = await gw.cliOk('domain', 'show', MAIN_DOMAIN);
    expect(r.stdout).toMatch(/CLRTXT/);
    expect(r.stdout).toMatch(/DIGEST-MD5/);
  });
});
