/**
 * SCRAM-SHA-1/-256 and their -PLUS variants over real TLS to the IMAP listeners, with a client
 * written here that computes the channel binding from its own side of the TLS session.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gateway } from './harness/gateway.js';
import { imapAuthenticate, imapCapabilities, imapCommand, imapConnect } from './harness/imap.js';
import type { LineClient } from './harness/line-client.js';
import { ScramClient, scramMechanism, type ChannelBinding, type ScramHash } from './harness/scram.js';
import { ALICE, UNKNOWN, WRONG_PASSWORD, createAccount, stopCleanly } from './harness/fixtures.js';

let gw: Gateway;

beforeAll(async () => {
  gw = await Gateway.start();
  await createAccount(gw, ALICE.address, ALICE.password);
});

afterAll(async () => {
  await stopCleanly(gw, [ALICE.password, WRONG_PASSWORD]);
});

interface ScramRun {
  ok: boolean;
  status: string;
  serverVerified: boolean;
}

/** One AUTHENTICATE exchange; the server-final message may come as a `+` challenge or in the OK. */
async function scramLogin(c: LineClient, client: ScramClient, mechanism: string): Promise<ScramRun> {
  let serverVerified = false;
  const r = await imapAuthenticate(c, mechanism, (challenge, step) => {
    if (step === 0) {
      // servers answer an empty `+` with a request for client-first
      if (challenge.length === 0) return client.clientFirst();
      throw new Error('expected an empty first challenge');
    }
    if (step === 1) return client.clientFinal(challenge);
    serverVerified = client.verifyServerFinal(challenge);
    return Buffer.alloc(0);
  });
  return { ok: r.ok, status: r.status, serverVerified };
}

async function tlsConnect(tlsVersion: 'TLSv1.2' | 'TLSv1.3', starttls: boolean): Promise<LineClient> {
  const tlsOptions = { minVersion: tlsVersion, maxVersion: tlsVersion } as const;
  if (!starttls) return (await imapConnect(gw.ports.imaps, { tls: true, tlsOptions })).c;
  const { c } = await imapConnect(gw.ports.imapStarttls);
  const r = await imapCommand(c, 'STARTTLS');
  expect(r.ok, r.status).toBe(true);
  await c.startTls(tlsOptions);
  return c;
}

const HASHES: ScramHash[] = ['sha1', 'sha256'];

describe.each(HASHES)('SCRAM %s', (hash) => {
  it('logs in on a plain link, and the server proves it knows the password', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const run = await scramLogin(c, new ScramClient({ hash, user: ALICE.address, password: ALICE.password }), scramMechanism(hash, false));
      expect(run.ok, run.status).toBe(true);
      expect(run.serverVerified).toBe(true);
    } finally {
      c.close();
    }
  });

  it('refuses a wrong password', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const run = await scramLogin(c, new ScramClient({ hash, user: ALICE.address, password: WRONG_PASSWORD }), scramMechanism(hash, false)).catch(
        (e: Error) => ({ ok: false, status: e.message, serverVerified: false }),
      );
      expect(run.ok).toBe(false);
      expect(run.status).toMatch(/^NO\b/);
    } finally {
      c.close();
    }
  });

  it('refuses an unknown account', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const run = await scramLogin(c, new ScramClient({ hash, user: UNKNOWN, password: ALICE.password }), scramMechanism(hash, false)).catch(
        (e: Error) => ({ ok: false, status: e.message, serverVerified: false }),
      );
      expect(run.ok).toBe(false);
      expect(run.status).toMatch(/^NO\b/);
    } finally {
      c.close();
    }
  });

  const bindings: Array<[ChannelBinding, 'TLSv1.2' | 'TLSv1.3', boolean]> = [
    ['tls-exporter', 'TLSv1.3', false],
    ['tls-exporter', 'TLSv1.3', true],
    ['tls-server-end-point', 'TLSv1.3', false],
    ['tls-server-end-point', 'TLSv1.2', false],
    ['tls-server-end-point', 'TLSv1.2', true],
  ];
  describe.each(bindings)('-PLUS with %s over %s (STARTTLS: %s)', (type, version, starttls) => {
    it('logs in with the binding computed on the client side', async () => {
      const c = await tlsConnect(version, starttls);
      try {
        expect(c.tlsSocket.getProtocol()).toBe(version);
        const caps = await imapCapabilities(c);
        expect(caps).toContain(`AUTH=${scramMechanism(hash, true)}`);
        const client = new ScramClient({ hash, user: ALICE.address, password: ALICE.password, binding: { type, socket: c.tlsSocket } });
        const run = await scramLogin(c, client, scramMechanism(hash, true));
        expect(run.ok, run.status).toBe(true);
        expect(run.serverVerified).toBe(true);
      } finally {
        c.close();
      }
    });

    it('refuses a wrong binding', async () => {
      const c = await tlsConnect(version, starttls);
      try {
        const client = new ScramClient({
          hash, user: ALICE.address, password: ALICE.password,
          binding: { type, socket: c.tlsSocket, override: crypto.randomBytes(32) },
        });
        const run = await scramLogin(c, client, scramMechanism(hash, true)).catch(
          (e: Error) => ({ ok: false, status: e.message, serverVerified: false }),
        );
        expect(run.ok).toBe(false);
        expect(run.status).toMatch(/^NO\b/);
      } finally {
        c.close();
      }
    });
  });
});

describe('SCRAM -PLUS without TLS', () => {
  it('is neither advertised nor accepted on a plain link', async () => {
    const { c } = await imapConnect(gw.ports.imap);
    try {
      const caps = await imapCapabilities(c);
      expect(caps).toContain('AUTH=SCRAM-SHA-256');
      expect(caps).not.toContain('AUTH=SCRAM-SHA-256-PLUS');
      const r = await imapCommand(c, 'AUTHENTICATE SCRAM-SHA-256-PLUS');
      expect(r.ok).toBe(false);
      expect(r.status).toMatch(/^(NO|BAD)\b/);
    } finally {
      c.close();
    }
  });

  it('refuses a client that claims binding support when the server offers -PLUS (downgrade, flag y)', async () => {
    const c = await tlsConnect('TLSv1.3', false);
    try {
      const client = new ScramClient({ hash: 'sha256', user: ALICE.address, password: ALICE.password });
      // 'y,,' says: I support channel binding but think you do not; over TLS where -PLUS is offered
      // that is a downgrade the server must refuse (RFC 5802 section 6).
      const first = Buffer.from('y,,' + client.clientFirst().toString('utf8').slice(3));
      const r = await imapAuthenticate(c, 'SCRAM-SHA-256', (ch, step) => {
        if (step === 0) return first;
        // server may still answer server-first; a bad proof then ends it
        return step === 1 ? Buffer.from(`c=${Buffer.from('y,,').toString('base64')},r=${/r=([^,]+)/.exec(ch.toString())?.[1] ?? ''},p=AAAA`) : Buffer.alloc(0);
      });
      expect(r.ok).toBe(false);
    } finally {
      c.close();
    }
  });
});
