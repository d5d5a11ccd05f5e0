/**
 * SASL NTLM and MSN through the built gateway with real clients: curl 7.88 (`AUTH=NTLM` for IMAP,
 * POP3 and SMTP; it answers a CHALLENGE that carries target info with NTLMv2) and swaks
 * (`--auth NTLM`, Authen::NTLM, which sends NTLMv1 and so needs `allowNTLMv1`); a raw MSN exchange
 * with this file's own NTLMv2 client.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway, MAIN_DOMAIN } from './harness/gateway.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';
import { curl, run, TEST_DIR, type RunResult } from './harness/run.js';
import { curlSmtp, swaks } from './harness/smtp.js';

/** CURLE_LOGIN_DENIED */
const LOGIN_DENIED = 67;

const LISTENERS = {
  imap: { service: 'imap', tls: 'none' },
  pop: { service: 'pop', tls: 'none' },
  submission: { service: 'smtp', tls: 'starttls' },
} as const;

const V1 = { address: 'oldclient@example.test', password: 'Old-Client-Pw-7' };
const ONE_WAY = { address: 'oneway@example.test', password: 'One-Way-Pw-9' };

let gw: Gateway<keyof typeof LISTENERS>;

beforeAll(async () => {
  gw = await Gateway.start({ listeners: LISTENERS });
  await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'loginMethods=CLRTXT,NTLM,MSN');
  await createAccount(gw, ALICE.address, ALICE.password);
  await createAccount(gw, V1.address, V1.password, 'allowNTLMv1=true');
  await createAccount(gw, ONE_WAY.address, ONE_WAY.password, 'passwordEncryption=U-crpt');
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD, V1.password, ONE_WAY.password]);
});

function curlLogin(proto: 'imap' | 'pop3', user: string, password: string, verbose = false) {
  const port = proto === 'imap' ? gw.ports.imap : gw.ports.pop;
  return curl([...(verbose ? ['-v'] : []), '--login-options', 'AUTH=NTLM', '--user', `${user}:${password}`, `${proto}://127.0.0.1:${port}/`]);
}

function curlSmtpNtlm(user: string, password: string, file: string) {
  return curlSmtp({ url: `smtp://127.0.0.1:${gw.ports.submission}`, user, password, loginOptions: 'AUTH=NTLM', file, sslReqd: true });
}

/** The NTLM messages in curl's -v trace: the server's CHALLENGE and curl's AUTHENTICATE. */
function ntlmMessages(trace: string): { challenge: Buffer; authenticate: Buffer } {
  const challenge = /^< \+ (TlRMTVNTUAACAAAA\S*)/m.exec(trace)?.[1];
  const authenticate = /^> (TlRMTVNTUAADAAAA\S*)/m.exec(trace)?.[1];
  if (!challenge || !authenticate) throw new Error(`no NTLM exchange in the trace:\n${trace}`);
  return { challenge: Buffer.from(challenge, 'base64'), authenticate: Buffer.from(authenticate, 'base64') };
}

function perlNtlm(mechanism: 'NTLM' | 'MSN', user: string, password: string, v2: boolean, domain = '') {
  return run('perl', [path.join(TEST_DIR, 'clients', 'ntlm_imap.pl'), String(gw.ports.imap), mechanism, user, password, v2 ? '1' : '0', domain]);
}

/** The JSON log lines of the server that carry `msg`. */
function logLines(msg: string): Record<string, unknown>[] {
  return (gw.stdout + gw.stderr)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((o) => o['msg'] === msg);
}

function logged(msg: string, fields: Record<string, unknown>): boolean {
  return logLines(msg).some((l) => Object.entries(fields).every(([k, v]) => l[k] === v));
}

function lastLine(r: RunResult): string {
  return r.stdout.trim().split('\n').at(-1) ?? '';
}

describe('curl AUTH=NTLM', () => {
  it('answers the server CHALLENGE (target info, OEM) with NTLMv2', async () => {
    const r = await curlLogin('imap', ALICE.address, ALICE.password, true);
    expect(r.code, r.stderr).toBe(0);
    const { challenge, authenticate } = ntlmMessages(r.stderr);
    const flags = challenge.readUInt32LE(20);
    expect(flags & 0x00800000, 'TARGET_INFO').toBeTruthy();
    expect(flags & 0x00000002, 'OEM (curl offers no Unicode)').toBeTruthy();
    expect(challenge.readUInt16LE(40), 'target info length').toBeGreaterThan(0);
    // An NT response longer than 24 bytes is NTLMv2; curl sends its user name as given.
    expect(authenticate.readUInt16LE(20)).toBeGreaterThan(24);
    const userLen = authenticate.readUInt16LE(36);
    const userOff = authenticate.readUInt32LE(40);
    expect(authenticate.subarray(userOff, userOff + userLen).toString('latin1')).toBe(ALICE.address);
  });

  it('DOMAIN\\user: the NTLM domain only enters the hash; the login name stays the user part', async () => {
    const r = await curlLogin('imap', `WORKGROUP\\${ALICE.address}`, ALICE.password, true);
    expect(r.code, r.stderr).toBe(0);
    const { authenticate } = ntlmMessages(r.stderr);
    const domainLen = authenticate.readUInt16LE(28);
    const domainOff = authenticate.readUInt32LE(32);
    expect(authenticate.subarray(domainOff, domainOff + domainLen).toString('latin1')).toBe('WORKGROUP');
    expect(logged('login succeeded', { mechanism: 'NTLM', account: ALICE.address })).toBe(true);
  });

  describe.each(['imap', 'pop3'] as const)('%s', (proto) => {
    it('logs in with the right password (no allowNTLMv1 needed)', async () => {
      const r = await curlLogin(proto, ALICE.address, ALICE.password);
      expect(r.code, r.stderr).toBe(0);
      if (proto === 'imap') expect(r.stdout).toMatch(/^\* LIST .*INBOX/im);
    });
    it('a user name without a domain resolves to the listener domain', async () => {
      const r = await curlLogin(proto, 'alice', ALICE.password);
      expect(r.code, r.stderr).toBe(0);
    });
    it('is denied with a wrong password, for an unknown account, and for a one-way password', async () => {
      for (const [user, password] of [[ALICE.address, WRONG_PASSWORD], [UNKNOWN, ALICE.password], [ONE_WAY.address, ONE_WAY.password]] as const) {
        const r = await curlLogin(proto, user, password);
        expect(r.code, `${user}: ${r.stderr}`).toBe(LOGIN_DENIED);
      }
      const service = proto === 'imap' ? 'imap' : 'pop';
      expect(logged('login failed', { mechanism: 'NTLM', service, result: 'bad-credentials' })).toBe(true);
      // a one-way (U-crpt) password cannot answer NTLM: refused as such, not as a wrong password
      expect(logged('login failed', { mechanism: 'NTLM', service, result: 'unsupported-credential' })).toBe(true);
    });
  });

  describe('smtp (STARTTLS submission)', () => {
    let file: string;
    beforeAll(async () => {
      file = path.join(gw.dir, 'ntlm-message.eml');
      await fs.writeFile(file, 'From: alice@example.test\r\nTo: bob@example.test\r\nSubject: curl ntlm\r\n\r\nsent by curl\r\n');
    });
    it('submits with the right password', async () => {
      const r = await curlSmtpNtlm(ALICE.address, ALICE.password, file);
      expect(r.code, r.stderr).toBe(0);
    });
    it('is denied with a wrong password, for an unknown account, and for a one-way password', async () => {
      for (const [user, password] of [[ALICE.address, WRONG_PASSWORD], [UNKNOWN, ALICE.password], [ONE_WAY.address, ONE_WAY.password]] as const) {
        const r = await curlSmtpNtlm(user, password, file);
        expect(r.code, `${user}: ${r.stderr}`).toBe(LOGIN_DENIED);
      }
    });
  });
});

describe('swaks --auth NTLM / MSN (Authen::NTLM: NTLMv1)', () => {
  const submit = (mechanism: string, user: string, password: string) =>
    swaks({ port: gw.ports.submission, mechanism, user, password, tls: '-tls', subject: `swaks ${mechanism}` });

  it('sends an NTLMv1 response, accepted for an account with allowNTLMv1', async () => {
    const r = await submit('NTLM', V1.address, V1.password);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/~> AUTH NTLM/);
    expect(r.stdout).toMatch(/<~\s+235 /);
    const type3 = /~> (TlRMTVNTUAADAAAA\S*)/.exec(r.stdout)?.[1];
    expect(Buffer.from(type3 ?? '', 'base64').readUInt16LE(20), 'NT response length').toBe(24);
  });

  it('AUTH MSN is the same exchange', async () => {
    const r = await submit('MSN', V1.address, V1.password);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/~> AUTH MSN/);
    expect(r.stdout).toMatch(/<~\s+235 /);
  });

  it('NTLMv1 is refused for an account without allowNTLMv1', async () => {
    const r = await submit('NTLM', ALICE.address, ALICE.password);
    expect(r.code).not.toBe(0);
    expect(r.stdout).not.toMatch(/<~\s+235 /);
    expect(r.stdout).toMatch(/<~\*?\s+5\d\d /);
  });

  it('a domain default allowNTLMv1=true lets it in, and taking it away refuses again', async () => {
    await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'defaultAccountSettings.allowNTLMv1=true');
    try {
      const r = await submit('NTLM', ALICE.address, ALICE.password);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    } finally {
      await gw.cliOk('domain', 'set', MAIN_DOMAIN, 'defaultAccountSettings.allowNTLMv1=false');
    }
    expect((await submit('NTLM', ALICE.address, ALICE.password)).code).not.toBe(0);
  });

  it('is denied with a wrong password and for an unknown account', async () => {
    for (const [user, password] of [[V1.address, WRONG_PASSWORD], [UNKNOWN, V1.password]] as const) {
      const r = await submit('NTLM', user, password);
      expect(r.code, user).not.toBe(0);
      expect(r.stdout).toMatch(/<~\*?\s+535 /);
    }
  });
});

describe('Authen::NTLM with NTLMv2 over IMAP', () => {
  it('AUTHENTICATE MSN and NTLM log in with the right password', async () => {
    const msn = await perlNtlm('MSN', ALICE.address, ALICE.password, true);
    expect(msn.stdout).toMatch(/^nt_len=(\d{3,}|[3-9]\d)$/m);
    expect(lastLine(msn), msn.stderr).toMatch(/^a1 OK/);
    expect(lastLine(await perlNtlm('NTLM', ALICE.address, ALICE.password, true))).toMatch(/^a1 OK/);
    expect(logged('login succeeded', { mechanism: 'MSN', account: ALICE.address, service: 'imap' })).toBe(true);
  });

  it('a wrong password, an unknown account and a one-way password get NO', async () => {
    for (const [user, password] of [[ALICE.address, WRONG_PASSWORD], [UNKNOWN, ALICE.password], [ONE_WAY.address, ONE_WAY.password]] as const) {
      expect(lastLine(await perlNtlm('MSN', user, password, true)), user).toMatch(/^a1 NO/);
    }
  });

  it('NTLMv1 over IMAP: NO without allowNTLMv1, OK with it', async () => {
    const refused = await perlNtlm('NTLM', ALICE.address, ALICE.password, false);
    expect(refused.stdout).toMatch(/^nt_len=24$/m);
    expect(lastLine(refused)).toMatch(/^a1 NO/);
    expect(logged('login failed', { mechanism: 'NTLM', service: 'imap', result: 'mechanism-unavailable' })).toBe(true);
    expect(lastLine(await perlNtlm('NTLM', V1.address, V1.password, false))).toMatch(/^a1 OK/);
  });
});
