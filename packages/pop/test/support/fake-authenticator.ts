/**
 * A fake Authenticator for the session tests: one account alice@pop.test with password "secret",
 * PLAIN, LOGIN and CRAM-MD5 done by hand, and a few special user names that produce each failure.
 */
import { createHash, createHmac } from 'node:crypto';
import type {
  Advertisement,
  AuthFailure,
  AuthSuccess,
  Authenticator,
  ConnectionInfo,
  LoginResult,
  SaslExchange,
  SaslStep,
} from '@portcullis/auth-core';

export const USER = 'alice';
export const PASSWORD = 'secret';
export const TIMESTAMP = '<4711.1700000000@pop.test>';
export const SERVER_FINAL = Buffer.from('v=server-final-proof');

export interface FakeAuthOptions {
  apop?: boolean;
  clearText?: boolean;
  mechanisms?: string[];
  /** checkClientAddress refuses every client */
  refuseClients?: boolean;
  /** the account password, when a test needs one with spaces */
  password?: string;
  /** loginPlaintext throws, as a broken backend might */
  throwOnLogin?: boolean;
}

const BAD: AuthFailure = { code: 'bad-credentials', message: 'incorrect account name or password' };

function success(mechanism: string): AuthSuccess {
  return {
    authcid: `${USER}@pop.test`,
    authzid: `${USER}@pop.test`,
    account: { name: USER, domain: 'pop.test', settings: {} },
    mechanism,
  };
}

export class FakeAuthenticator implements Authenticator {
  /** every ConnectionInfo the session handed us, in order */
  readonly infos: ConnectionInfo[] = [];
  readonly plaintextLogins: { user: string; password: string }[] = [];
  private readonly password: string;

  constructor(private readonly options: FakeAuthOptions = {}) {
    this.password = options.password ?? PASSWORD;
  }

  async advertise(conn: ConnectionInfo): Promise<Advertisement> {
    this.infos.push(conn);
    return {
      saslMechanisms: this.options.mechanisms ?? ['PLAIN', 'LOGIN', 'CRAM-MD5'],
      clearText: this.options.clearText ?? true,
      apop: this.options.apop ?? false,
    };
  }

  async checkClientAddress(conn: ConnectionInfo): Promise<AuthFailure | null> {
    this.infos.push(conn);
    return this.options.refuseClients
      ? { code: 'client-address', message: 'logins from this address are prohibited' }
      : null;
  }

  startSasl(mechanism: string, conn: ConnectionInfo): SaslExchange | null {
    this.infos.push(conn);
    const steps: Record<string, () => (input: Buffer | null) => Promise<SaslStep>> = {
      PLAIN: () => this.plain(conn),
      LOGIN: () => this.login(conn),
      'CRAM-MD5': () => this.cramMd5(),
      'X-FINAL-DATA': () => async () => ({ kind: 'success', success: success('X-FINAL-DATA'), data: SERVER_FINAL }),
    };
    const make = steps[mechanism];
    if (!make) return null;
    const step = make();
    return { mechanism, step, cancel: () => ({ code: 'cancelled', message: 'authentication cancelled' }) };
  }

  async loginPlaintext(user: string, password: string, conn: ConnectionInfo): Promise<LoginResult> {
    this.infos.push(conn);
    this.plaintextLogins.push({ user, password });
    if (this.options.throwOnLogin) throw new Error('backend exploded');
    const failure = this.checkPassword(user, password, conn);
    return failure ? { ok: false, failure } : { ok: true, success: success('USER') };
  }

  apopTimestamp(conn: ConnectionInfo): string {
    this.infos.push(conn);
    return TIMESTAMP;
  }

  async loginApop(user: string, timestamp: string, digestHex: string, conn: ConnectionInfo): Promise<LoginResult> {
    this.infos.push(conn);
    const expected = createHash('md5').update(timestamp + this.password).digest('hex');
    return user === USER && digestHex === expected
      ? { ok: true, success: success('APOP') }
      : { ok: false, failure: BAD };
  }

  private checkPassword(user: string, password: string, conn: ConnectionInfo): AuthFailure | null {
    switch (user) {
      case 'locked':
        return { code: 'locked', message: 'account is temporarily locked' };
      case 'broken':
        return { code: 'temporary', message: 'password backend unavailable' };
      case 'insecure':
        return conn.secure ? null : { code: 'secure-method-required', message: 'use a secure method' };
      case 'blocked':
        return { code: 'client-address', message: 'logins from this address are prohibited' };
      case USER:
        return password === this.password ? null : BAD;
      default:
        return { code: 'unknown-account', message: 'unknown account' };
    }
  }

  private plain(conn: ConnectionInfo): (input: Buffer | null) => Promise<SaslStep> {
    return async (input) => {
      if (input === null) return { kind: 'continue', challenge: Buffer.alloc(0) };
      const parts = input.toString('utf8').split('\0');
      if (parts.length !== 3) return { kind: 'failure', failure: { code: 'malformed', message: 'malformed PLAIN' } };
      const failure = this.checkPassword(parts[1] ?? '', parts[2] ?? '', conn);
      return failure ? { kind: 'failure', failure } : { kind: 'success', success: success('PLAIN') };
    };
  }

  private login(conn: ConnectionInfo): (input: Buffer | null) => Promise<SaslStep> {
    let user: string | undefined;
    return async (input) => {
      if (input === null) return { kind: 'continue', challenge: Buffer.from('Username:') };
      if (user === undefined) {
        user = input.toString('utf8');
        return { kind: 'continue', challenge: Buffer.from('Password:') };
      }
      const failure = this.checkPassword(user, input.toString('utf8'), conn);
      return failure ? { kind: 'failure', failure } : { kind: 'success', success: success('LOGIN') };
    };
  }

  private cramMd5(): (input: Buffer | null) => Promise<SaslStep> {
    const challenge = '<1896.697170952@pop.test>';
    let sent = false;
    return async (input) => {
      if (!sent) {
        sent = true;
        return { kind: 'continue', challenge: Buffer.from(challenge) };
      }
      const [user, digest] = (input ?? Buffer.alloc(0)).toString('utf8').split(' ');
      const expected = createHmac('md5', this.password).update(challenge).digest('hex');
      return user === USER && digest === expected
        ? { kind: 'success', success: success('CRAM-MD5') }
        : { kind: 'failure', failure: BAD };
    };
  }
}
