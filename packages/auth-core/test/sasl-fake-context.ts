/**
 * A fake MechanismContext for the SASL mechanism tests: an in-memory user table, a nonce set, and
 * a record of every call so tests can assert what a mechanism asked for.
 */
import type { ConnectionInfo, TlsChannel } from '../src/connection.js';
import type { MechanismContext, MechanismOutcome, MechanismSession, MechanismStep } from '../src/sasl/mechanism.js';

export interface FakeOptions {
  /** login name -> cleartext secret */
  users?: Record<string, string>;
  /** login names whose password is stored one-way (lookupSecret cannot give it) */
  oneWay?: string[];
  /** what issueNonce returns, in order; random after that */
  nonces?: string[];
  /** completeSecretLogin fails with this code (e.g. policy refuses the login) */
  completeFailure?: 'locked' | 'impersonation-denied';
  conn?: Partial<ConnectionInfo>;
}

export interface FakeCalls {
  verifyPlaintext: { user: string; password: string; authzid: string | undefined }[];
  lookupSecret: string[];
  completeSecretLogin: { authcid: string; authzid: string | undefined }[];
  failSecretLogin: string[];
  issueNonce: number[];
  consumeNonce: string[];
}

export const DOMAIN = 'example.test';

function address(user: string): string {
  return user.includes('@') ? user : `${user}@${DOMAIN}`;
}

function success(authcid: string, authzid: string | undefined, mechanism: string): MechanismOutcome {
  const opened = address(authzid ?? authcid);
  const [name, domain] = opened.split('@') as [string, string];
  return {
    kind: 'success',
    success: { authcid: address(authcid), authzid: opened, account: { name, domain, settings: {} }, mechanism },
  };
}

export function fakeContext(options: FakeOptions = {}): { ctx: MechanismContext; calls: FakeCalls; nonces: Set<string> } {
  const users = options.users ?? {};
  const pending = [...(options.nonces ?? [])];
  const live = new Set<string>();
  const calls: FakeCalls = {
    verifyPlaintext: [],
    lookupSecret: [],
    completeSecretLogin: [],
    failSecretLogin: [],
    issueNonce: [],
    consumeNonce: [],
  };
  const conn: ConnectionInfo = {
    service: 'imap',
    id: 'c1',
    remoteAddress: '192.0.2.1',
    remotePort: 40000,
    localAddress: '127.0.0.1',
    localPort: 143,
    secure: false,
    serverName: 'mail.example.test',
    ...options.conn,
  };
  const ctx: MechanismContext = {
    conn,
    async verifyPlaintext(user, password, authzid) {
      calls.verifyPlaintext.push({ user, password, authzid });
      return users[user] === password
        ? success(user, authzid, 'plain')
        : { kind: 'failure', failure: { code: 'bad-credentials', message: 'invalid credentials' } };
    },
    async lookupSecret(user) {
      calls.lookupSecret.push(user);
      if (options.oneWay?.includes(user)) {
        return { ok: false, failure: { code: 'unsupported-credential', message: 'password cannot be used here' } };
      }
      const secret = users[user];
      if (secret === undefined) return { ok: false, failure: { code: 'unknown-account', message: 'unknown account' } };
      return { ok: true, secret, authcid: address(user) };
    },
    async completeSecretLogin(authcid, authzid) {
      calls.completeSecretLogin.push({ authcid, authzid });
      if (options.completeFailure) {
        return { kind: 'failure', failure: { code: options.completeFailure, message: 'refused by policy' } };
      }
      return success(authcid, authzid, 'secret');
    },
    async failSecretLogin(authcid) {
      calls.failSecretLogin.push(authcid);
      return { kind: 'failure', failure: { code: 'bad-credentials', message: 'invalid credentials' } };
    },
    async issueNonce(ttl) {
      calls.issueNonce.push(ttl);
      const nonce = pending.shift() ?? Math.random().toString(36).slice(2);
      live.add(nonce);
      return nonce;
    },
    async consumeNonce(nonce) {
      calls.consumeNonce.push(nonce);
      return live.delete(nonce);
    },
  };
  return { ctx, calls, nonces: live };
}

/** Fake TLS facts: a fixed exporter output and certificate. */
export function fakeTls(protocol: 'TLSv1.2' | 'TLSv1.3', certDer: Buffer | null): TlsChannel & { exporterCalls: unknown[][] } {
  const exporterCalls: unknown[][] = [];
  return {
    protocol,
    exporterCalls,
    exportKeyingMaterial(length, label, context) {
      exporterCalls.push([length, label, context]);
      return Buffer.alloc(length, 0x5a);
    },
    serverCertificateDer: () => certDer,
  };
}

export const text = (s: string): Buffer => Buffer.from(s, 'utf8');

export function challengeText(step: MechanismStep): string {
  if (step.kind !== 'continue') throw new Error(`expected a challenge, got ${JSON.stringify(step)}`);
  return step.challenge.toString('utf8');
}

export function failureCode(step: MechanismStep): string | undefined {
  return step.kind === 'failure' ? step.failure.code : undefined;
}

/** One client message; a string is sent as UTF-8. */
export function send(session: MechanismSession, input: string | Buffer | null): Promise<MechanismStep> {
  return session.step(typeof input === 'string' ? text(input) : input);
}
