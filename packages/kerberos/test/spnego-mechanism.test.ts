/** GSS-SPNEGO (HTTP Negotiate): token parsing, key choice and name checks, with a stand-in for MIT. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainSettings, MechanismContext, MechanismOutcome } from '@portcullis/auth-core';
import { advertisementFor, createDefaultMechanisms } from '@portcullis/auth-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { AcceptResult, GssAcceptor, GssContext } from '../src/gss-binding.js';
import { negotiateServicePrincipal, spnegoMechToken } from '../src/spnego.js';
import { createSpnegoMechanism, withSpnegoMechanism } from '../src/spnego-mechanism.js';
import { apReqToken, directoryOf, keysFor, tlv } from './ticket-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'spnego-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** SPNEGO NegTokenInit (RFC 4178) offering Kerberos, with `mechToken` as the optimistic token. */
function spnegoToken(mechToken: Buffer | null): Buffer {
  const krb5 = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]);
  const fields = [tlv(0xa0, tlv(0x30, krb5))];
  if (mechToken) fields.push(tlv(0xa2, tlv(0x04, mechToken)));
  const spnegoOid = Buffer.from([0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02]);
  return tlv(0x60, Buffer.concat([spnegoOid, tlv(0xa0, tlv(0x30, Buffer.concat(fields)))]));
}

class FakeAcceptor implements GssAcceptor {
  tokens: Buffer[] = [];
  keytabs: string[] = [];
  released = 0;
  constructor(private readonly result: Partial<AcceptResult> & { fail?: boolean }) {}
  async accept(keytabPath: string, token: Buffer): Promise<AcceptResult> {
    this.tokens.push(token);
    this.keytabs.push(existsSync(keytabPath) ? 'present' : 'missing');
    if (this.result.fail) throw new Error('Request ticket server kvno 3 not found in keytab');
    return { complete: true, output: Buffer.alloc(0), flags: 0, context: {} as GssContext, ...this.result };
  }
  wrap(): Buffer {
    throw new Error('not used');
  }
  unwrap(): { data: Buffer; confidential: boolean } {
    throw new Error('not used');
  }
  release(): void {
    this.released++;
  }
}

const DOMAINS: Record<string, DomainSettings & { kerberosKeys?: unknown }> = {
  'krb.test': { name: 'krb.test', aliases: ['mail.krb.test'], kerberosKeys: keysFor(dir, 'HTTP/mail.krb.test@KRB.TEST', 2) },
  'other.test': { name: 'other.test' },
};
const directory = directoryOf(DOMAINS);

function run(acceptor: FakeAcceptor) {
  const calls: unknown[][] = [];
  const ctx = {
    completeKerberosLogin: async (...args: unknown[]): Promise<MechanismOutcome> => {
      calls.push(args);
      return {
        kind: 'success',
        success: { authcid: String(args[0]), authzid: String(args[0]), mechanism: 'GSS-SPNEGO', account: { name: 'alice', domain: 'krb.test', settings: {} } },
      };
    },
  } as unknown as MechanismContext;
  return { session: createSpnegoMechanism({ directory, acceptor }).create(ctx), calls };
}

const HTTP_TICKET = apReqToken(['HTTP', 'mail.krb.test'], 'KRB.TEST');
const NAMES = { clientName: 'alice@KRB.TEST', targetName: 'HTTP/mail.krb.test@KRB.TEST' };

describe('SPNEGO tokens', () => {
  it('finds the Kerberos token inside a NegTokenInit, and the service it asks for', () => {
    expect(spnegoMechToken(spnegoToken(HTTP_TICKET))).toEqual(HTTP_TICKET);
    expect(negotiateServicePrincipal(spnegoToken(HTTP_TICKET))).toEqual({ realm: 'KRB.TEST', components: ['HTTP', 'mail.krb.test'] });
    // a bare Kerberos token is taken as well
    expect(negotiateServicePrincipal(HTTP_TICKET)).toEqual({ realm: 'KRB.TEST', components: ['HTTP', 'mail.krb.test'] });
  });

  it('refuses tokens without a mechToken, and garbage, without throwing', () => {
    expect(spnegoMechToken(spnegoToken(null))).toBeNull();
    expect(negotiateServicePrincipal(spnegoToken(null))).toBeNull();
    for (const junk of [Buffer.alloc(0), Buffer.from('abcdef'), Buffer.from([0x60, 0x85, 1, 2, 3]), spnegoToken(HTTP_TICKET).subarray(0, 20)]) {
      expect(negotiateServicePrincipal(junk)).toBeNull();
    }
  });
});

describe('GSS-SPNEGO mechanism', () => {
  it('is hidden: registered, but never advertised even with GSSAPI on', () => {
    const registry = withSpnegoMechanism(createDefaultMechanisms(), { directory });
    expect(registry.get('GSS-SPNEGO')?.hidden).toBe(true);
    expect(advertisementFor({ name: 'krb.test', loginMethods: ['GSSAPI'] }, registry, { secure: true }).saslMechanisms).not.toContain('GSS-SPNEGO');
  });

  it("accepts the whole SPNEGO token with the service's domain keys and finishes for user@domain, returning MIT's token", async () => {
    const acceptor = new FakeAcceptor({ ...NAMES, output: Buffer.from('mutual') });
    const { session, calls } = run(acceptor);
    const token = spnegoToken(HTTP_TICKET);
    const out = await session.step(token);
    expect(out).toMatchObject({ kind: 'success', data: Buffer.from('mutual') });
    expect(calls).toEqual([['alice@krb.test', 'krb.test']]);
    expect(acceptor.tokens).toEqual([token]);
    expect(acceptor.keytabs).toEqual(['present']);
    expect(acceptor.released).toBe(1);
  });

  it('refuses a service with no key in its domain, a mismatched target, a foreign realm, a compound name, MIT refusing, and an unfinished context', async () => {
    const cases: [Buffer, FakeAcceptor][] = [
      [spnegoToken(apReqToken(['HTTP', 'other.test'], 'KRB.TEST')), new FakeAcceptor(NAMES)],
      [spnegoToken(HTTP_TICKET), new FakeAcceptor({ ...NAMES, targetName: 'HTTP/other.test@KRB.TEST' })],
      [spnegoToken(HTTP_TICKET), new FakeAcceptor({ ...NAMES, clientName: 'alice@EVIL.TEST' })],
      [spnegoToken(HTTP_TICKET), new FakeAcceptor({ ...NAMES, clientName: 'alice/admin@KRB.TEST' })],
      [spnegoToken(HTTP_TICKET), new FakeAcceptor({ fail: true })],
      [spnegoToken(HTTP_TICKET), new FakeAcceptor({ complete: false })],
    ];
    for (const [token, acceptor] of cases) {
      const { session, calls } = run(acceptor);
      expect(await session.step(token)).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
      expect(calls).toEqual([]);
    }
  });

  it('a token that is neither SPNEGO nor Kerberos, or none, is malformed', async () => {
    expect(await run(new FakeAcceptor(NAMES)).session.step(Buffer.from('hello'))).toMatchObject({ kind: 'failure', failure: { code: 'malformed' } });
    expect(await run(new FakeAcceptor(NAMES)).session.step(null)).toMatchObject({ kind: 'failure', failure: { code: 'malformed' } });
  });
});
