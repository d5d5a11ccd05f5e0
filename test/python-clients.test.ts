/**
 * Python's imaplib and poplib: they use IMAP LOGIN and POP3 USER/PASS even while SASL is offered,
 * which curl cannot be made to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { python } from './harness/run.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';

interface ImapOut {
  ok: boolean;
  error: string | null;
  capabilities: string[];
  list: string[];
}
interface PopOut {
  ok: boolean;
  error: string | null;
  welcome: string;
  capa: Record<string, string[]>;
  stat: [number, number] | null;
}

type Security = 'plain' | 'starttls' | 'ssl';

let gw: Gateway;

beforeAll(async () => {
  gw = await Gateway.start();
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD]);
});

function imapPort(s: Security): number {
  return s === 'plain' ? gw.ports.imap : s === 'starttls' ? gw.ports.imapStarttls : gw.ports.imaps;
}
function popPort(s: Security): number {
  return s === 'plain' ? gw.ports.pop : s === 'starttls' ? gw.ports.popStarttls : gw.ports.pops;
}

function imap(security: Security, method: string, user: string, password: string): Promise<ImapOut> {
  return python<ImapOut>('imap_client.py', { host: '127.0.0.1', port: imapPort(security), security, method, user, password });
}
function pop(security: Security, method: string, user: string, password: string): Promise<PopOut> {
  return python<PopOut>('pop_client.py', { host: '127.0.0.1', port: popPort(security), security, method, user, password });
}

const SECURITIES: Security[] = ['plain', 'starttls', 'ssl'];

describe.each(SECURITIES)('imaplib over %s', (security) => {
  describe.each(['login', 'plain', 'cram-md5'])('%s', (method) => {
    it('logs in and lists INBOX', async () => {
      const r = await imap(security, method, ALICE.address, ALICE.password);
      expect(r.error).toBeNull();
      expect(r.ok).toBe(true);
      expect(r.list.join('\n')).toMatch(/INBOX/);
    });
    it('fails with a wrong password', async () => {
      const r = await imap(security, method, ALICE.address, WRONG_PASSWORD);
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(/^error: /);
    });
    it('fails for an unknown account', async () => {
      const r = await imap(security, method, UNKNOWN, ALICE.password);
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(/^error: /);
    });
  });

  it('sees SASL mechanisms advertised, and STARTTLS only where it applies', async () => {
    const r = await imap(security, 'login', ALICE.address, ALICE.password);
    expect(r.capabilities).toContain('AUTH=CRAM-MD5');
    expect(r.capabilities.includes('STARTTLS')).toBe(false);
  });
});

describe.each(SECURITIES)('poplib over %s', (security) => {
  describe.each(['user', 'apop'])('%s', (method) => {
    it('logs in and reads STAT', async () => {
      const r = await pop(security, method, ALICE.address, ALICE.password);
      expect(r.error).toBeNull();
      expect(r.ok).toBe(true);
      expect(r.stat).toHaveLength(2);
    });
    it('fails with a wrong password', async () => {
      const r = await pop(security, method, ALICE.address, WRONG_PASSWORD);
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(/^error_proto: .*-ERR/);
    });
    it('fails for an unknown account', async () => {
      const r = await pop(security, method, UNKNOWN, ALICE.password);
      expect(r.ok).toBe(false);
      expect(r.error).toMatch(/^error_proto: .*-ERR/);
    });
  });

  it('sees SASL in CAPA and an APOP timestamp in the greeting', async () => {
    const r = await pop(security, 'user', ALICE.address, ALICE.password);
    expect(r.welcome).toMatch(/^\+OK .*<[^<>@\s]+@[^<>\s]+>/);
    expect(Object.keys(r.capa)).toContain('SASL');
    expect(r.capa.SASL).toContain('CRAM-MD5');
    expect(Object.keys(r.capa)).toContain('USER');
  });
});

describe('STARTTLS advertisement', () => {
  it('imaplib sees STARTTLS before the upgrade on a starttls listener', async () => {
    // the security "plain" client on the STARTTLS port: capabilities are the pre-TLS ones
    const r = await python<ImapOut>('imap_client.py', {
      host: '127.0.0.1', port: gw.ports.imapStarttls, security: 'plain', method: 'cram-md5', user: ALICE.address, password: ALICE.password,
    });
    expect(r.capabilities).toContain('STARTTLS');
    expect(r.ok).toBe(true);
  });
});
