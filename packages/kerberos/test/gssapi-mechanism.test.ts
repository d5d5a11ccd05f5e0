import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainSettings, MechanismContext, MechanismOutcome, MechanismStep } from '@portcullis/auth-core';
import { afterAll, describe, expect, it } from 'vitest';
import { ticketServicePrincipal } from '../src/ap-req.js';
import type { AcceptResult, GssAcceptor, GssContext } from '../src/gss-binding.js';
import { createGssapiMechanism } from '../src/gssapi-mechanism.js';
import { parsePrincipal, serviceHost, simpleClientName } from '../src/principal.js';
import { apReqToken, directoryOf, keysFor } from './ticket-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'gssapi-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Stands in for MIT: "wraps" by prefixing W, and remembers the keytab it was given. */
class FakeAcceptor implements GssAcceptor {
  keytabs: string[] = [];
  released = 0;
  constructor(private readonly result: Partial<AcceptResult> & { fail?: boolean }) {}
  async accept(keytabPath: string): Promise<AcceptResult> {
    this.keytabs.push(existsSync(keytabPath) ? readFileSync(keytabPath).toString('hex') : 'missing');
    if (this.result.fail) throw new Error('Request ticket server kvno 3 not found in keytab');
    return { complete: true, output: Buffer.alloc(0), flags: 0, context: {} as GssContext, ...this.result };
  }
  wrap(_c: GssContext, data: Buffer): Buffer {
    return Buffer.concat([Buffer.from('W'), data]);
  }
  unwrap(_c: GssContext, data: Buffer) {
    if (data[0] !== 0x57) throw new Error('bad wrap');
    return { data: data.subarray(1), confidential: false };
  }
  release(): void {
    this.released++;
  }
}

const DOMAINS: Record<string, DomainSettings & { kerberosKeys?: unknown }> = {
  'krb.test': { name: 'krb.test', aliases: ['mail.krb.test'], kerberosKeys: keysFor(dir, 'imap/mail.krb.test@KRB.TEST', 2) },
  'other.test': { name: 'other.test' },
};
const directory = directoryOf(DOMAINS);

function run(acceptor: FakeAcceptor) {
  const calls: unknown[][] = [];
  const ctx = {
    completeKerberosLogin: async (...args: unknown[]): Promise<MechanismOutcome> => {
      calls.push(args);
      return { kind: 'failure', failure: { code: 'temporary', message: 'recorded' } };
    },
  } as unknown as MechanismContext;
  const session = createGssapiMechanism({ directory, acceptor }).create(ctx);
  return { session, calls };
}

const TOKEN = apReqToken(['imap', 'mail.krb.test'], 'KRB.TEST');
const GOOD = { clientName: 'alice@KRB.TEST', targetName: 'imap/mail.krb.test@KRB.TEST' };

function challengeOf(step: MechanismStep): Buffer {
  if (step.kind !== 'continue') throw new Error(`expected a challenge, got ${JSON.stringify(step)}`);
  return step.challenge;
}

describe('GSSAPI mechanism', () => {
  it('routes by the ticket host (an alias), offers only "no layer", and finishes for user@domain with the authzid', async () => {
    const acceptor = new FakeAcceptor(GOOD);
    const { session, calls } = run(acceptor);
    expect(challengeOf(await session.step(null))).toHaveLength(0);
    const offer = challengeOf(await session.step(TOKEN));
    expect(offer).toEqual(Buffer.from([0x57, 0x01, 0, 0, 0]));
    expect(acceptor.keytabs).toHaveLength(1);
    expect(acceptor.keytabs[0]).toContain(Buffer.from('mail.krb.test').toString('hex'));
    await session.step(Buffer.concat([Buffer.from('W'), Buffer.from([1, 0, 0x10, 0]), Buffer.from('bob@krb.test')]));
    expect(calls).toEqual([['alice@krb.test', 'krb.test', 'bob@krb.test']]);
    expect(acceptor.released).toBe(1);
  });

  it('sends the AP-REP first when MIT made one, then the offer after an empty response', async () => {
    const acceptor = new FakeAcceptor({ ...GOOD, output: Buffer.from('aprep') });
    const { session, calls } = run(acceptor);
    expect(challengeOf(await session.step(TOKEN)).toString()).toBe('aprep');
    expect(challengeOf(await session.step(Buffer.alloc(0)))).toEqual(Buffer.from([0x57, 1, 0, 0, 0]));
    await session.step(Buffer.from([0x57, 1, 0, 0, 0]));
    expect(calls).toEqual([['alice@krb.test', 'krb.test', undefined]]);
  });

  it('refuses a ticket for a host whose domain holds no key for it, without calling MIT', async () => {
    const acceptor = new FakeAcceptor(GOOD);
    const { session } = run(acceptor);
    const out = await session.step(apReqToken(['imap', 'other.test'], 'KRB.TEST'));
    expect(out).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
    expect(acceptor.keytabs).toHaveLength(0);
  });

  it('refuses what MIT refuses (e.g. a wrong kvno)', async () => {
    const { session } = run(new FakeAcceptor({ fail: true }));
    expect(await session.step(TOKEN)).toMatchObject({ kind: 'failure', failure: { code: 'bad-credentials' } });
  });

  it.each([
    ['a client name with an escaped @', 'a\\@b@KRB.TEST'],
    ['a two-component client', 'alice/admin@KRB.TEST'],
    ['a client with %', 'a%b@KRB.TEST'],
    ['a client of another realm', 'alice@EVIL.TEST'],
  ])('refuses %s', async (_what, clientName) => {
    const { session, calls } = run(new FakeAcceptor({ ...GOOD, clientName }));
    expect(await session.step(TOKEN)).toMatchObject({ kind: 'failure' });
    expect(calls).toHaveLength(0);
  });

  it('refuses a context whose target is not the ticket service', async () => {
    const { session } = run(new FakeAcceptor({ ...GOOD, targetName: 'imap/other.test@KRB.TEST' }));
    expect(await session.step(TOKEN)).toMatchObject({ kind: 'failure' });
  });

  it('refuses a layer choice other than "none", an unwrappable reply, and junk tokens', async () => {
    let { session } = run(new FakeAcceptor(GOOD));
    await session.step(TOKEN);
    expect(await session.step(Buffer.from([0x57, 2, 0, 0, 0]))).toMatchObject({ kind: 'failure', failure: { code: 'malformed' } });
    ({ session } = run(new FakeAcceptor(GOOD)));
    await session.step(TOKEN);
    expect(await session.step(Buffer.from([1, 0, 0, 0]))).toMatchObject({ kind: 'failure', failure: { code: 'malformed' } });
    ({ session } = run(new FakeAcceptor(GOOD)));
    expect(await session.step(Buffer.from('not a token'))).toMatchObject({ kind: 'failure', failure: { code: 'malformed' } });
  });
});

describe('names', () => {
  it('reads the service principal from the token', () => {
    expect(ticketServicePrincipal(TOKEN)).toEqual({ components: ['imap', 'mail.krb.test'], realm: 'KRB.TEST' });
    expect(ticketServicePrincipal(TOKEN.subarray(0, TOKEN.length - 5))).toBeNull();
  });

  it('parses MIT principal strings and picks the host and simple client names', () => {
    const p = parsePrincipal('imap/Mail.Example.Test@EX.TEST')!;
    expect(serviceHost(p)).toBe('mail.example.test');
    expect(serviceHost(parsePrincipal('example.test@EX.TEST')!)).toBe('example.test');
    expect(simpleClientName(parsePrincipal('Alice@EX.TEST')!)).toBe('alice');
    expect(parsePrincipal('a\\@b@EX.TEST')).toEqual({ components: ['a@b'], realm: 'EX.TEST' });
    expect(simpleClientName(parsePrincipal('a\\@b@EX.TEST')!)).toBeNull();
    expect(parsePrincipal('no-realm')).toBeNull();
    expect(parsePrincipal('a@B@C')).toBeNull();
  });
});
