/** curl 7.88 as an independent IMAP and POP3 client: every SASL mechanism it has, on every transport. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { curl } from './harness/run.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';

/** CURLE_LOGIN_DENIED */
const LOGIN_DENIED = 67;

type Transport = 'plain' | 'starttls' | 'implicit';
const TRANSPORTS: Transport[] = ['plain', 'starttls', 'implicit'];

let gw: Gateway;

beforeAll(async () => {
  gw = await Gateway.start();
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD]);
});

function target(proto: 'imap' | 'pop3', transport: Transport): string[] {
  const ports = gw.ports;
  if (proto === 'imap') {
    if (transport === 'plain') return [`imap://127.0.0.1:${ports.imap}/`];
    if (transport === 'starttls') return ['--ssl-reqd', '-k', `imap://127.0.0.1:${ports.imapStarttls}/`];
    return ['-k', `imaps://127.0.0.1:${ports.imaps}/`];
  }
  if (transport === 'plain') return [`pop3://127.0.0.1:${ports.pop}/`];
  if (transport === 'starttls') return ['--ssl-reqd', '-k', `pop3://127.0.0.1:${ports.popStarttls}/`];
  return ['-k', `pop3s://127.0.0.1:${ports.pops}/`];
}

async function login(proto: 'imap' | 'pop3', transport: Transport, option: string, user: string, password: string) {
  return curl(['--login-options', option, '--user', `${user}:${password}`, ...target(proto, transport)]);
}

describe.each(TRANSPORTS)('curl IMAP over %s', (transport) => {
  describe.each(['AUTH=PLAIN', 'AUTH=LOGIN', 'AUTH=CRAM-MD5', 'AUTH=DIGEST-MD5'])('%s', (option) => {
    it('logs in with the right password and lists the mailboxes', async () => {
      const r = await login('imap', transport, option, ALICE.address, ALICE.password);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^\* LIST .*INBOX/im);
    });
    it('is denied with a wrong password', async () => {
      const r = await login('imap', transport, option, ALICE.address, WRONG_PASSWORD);
      expect(r.code, r.stderr + r.stdout).toBe(LOGIN_DENIED);
    });
    it('is denied for an unknown account', async () => {
      const r = await login('imap', transport, option, UNKNOWN, ALICE.password);
      expect(r.code, r.stderr + r.stdout).toBe(LOGIN_DENIED);
    });
  });
});

describe.each(TRANSPORTS)('curl POP3 over %s', (transport) => {
  describe.each(['AUTH=PLAIN', 'AUTH=LOGIN', 'AUTH=CRAM-MD5', 'AUTH=DIGEST-MD5', 'AUTH=+APOP'])('%s', (option) => {
    it('logs in with the right password and lists the maildrop', async () => {
      const r = await login('pop3', transport, option, ALICE.address, ALICE.password);
      expect(r.code, r.stderr).toBe(0);
      expect(r.timedOut).toBe(false);
    });
    it('is denied with a wrong password', async () => {
      const r = await login('pop3', transport, option, ALICE.address, WRONG_PASSWORD);
      expect(r.code, r.stderr + r.stdout).toBe(LOGIN_DENIED);
    });
    it('is denied for an unknown account', async () => {
      const r = await login('pop3', transport, option, UNKNOWN, ALICE.password);
      expect(r.code, r.stderr + r.stdout).toBe(LOGIN_DENIED);
    });
  });
});

describe('curl verbose exchange', () => {
  it('shows the POP3 LIST answered with +OK after AUTH PLAIN', async () => {
    const r = await curl(['-v', '--login-options', 'AUTH=PLAIN', '--user', `${ALICE.address}:${ALICE.password}`, `pop3://127.0.0.1:${gw.ports.pop}/`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/> AUTH PLAIN/);
    expect(r.stderr).toMatch(/> LIST\r?\n< \+OK/);
  });
});
