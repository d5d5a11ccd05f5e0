/**
 * A fake Authenticator: alice/secret, and special user names that produce each failure code, so
 * the session's mapping can be checked without auth-core's internals.
 */
import type {
  AccountRecord,
  Advertisement,
  AuthFailure,
  AuthSuccess,
  Authenticator,
  ConnectionInfo,
  FailureCode,
  LoginResult,
  SaslExchange,
  SaslStep,
} from '@portcullis/auth-core';

const FAILING_USERS: Record<string, FailureCode> = {
  locked: 'locked',
  temp: 'temporary',
  disabled: 'service-disabled',
  remote: 'client-address',
  'needs-tls': 'secure-method-required',
};

const MESSAGES: Record<FailureCode, string> = {
  'unknown-account': 'incorrect user name or password',
  'bad-credentials': 'incorrect user name or password',
  locked: 'account is temporarily locked',
  'secure-method-required': 'a secure method is required',
  'service-disabled': 'IMAP is disabled for this account',
  'client-address': 'logins from this address are prohibited',
  'impersonation-denied': 'impersonation not allowed',
  'mechanism-unavailable': 'mechanism unavailable',
  'unsupported-credential': 'unsupported credential',
  malformed: 'malformed request',
  cancelled: 'authentication cancelled',
  temporary: 'temporary failure, try again later',
};

function failure(code: FailureCode): AuthFailure {
  return { code, message: MESSAGES[code] };
}

function success(user: string, mechanism: string, authzid?: string): AuthSuccess {
  const account: AccountRecord = { name: user, domain: 'example.test', settings: {} };
  return {
    authcid: `${user}@example.test`,
    authzid: `${authzid ?? user}@example.test`,
    account,
    mechanism,
  };
}

export interface FakeOptions {
  /** checkClientAddress refuses everyone */
  refuseAddress?: boolean;
  /** advertise PLAIN/LOGIN only on secure links (clearText false otherwise) */
  clearTextOnlySecure?: boolean;
}

export class FakeAuthenticator implements Authenticator {
  /** every ConnectionInfo seen, in order */
  readonly seen: { call: string; secure: boolean; tls?: boolean }[] = [];
  /** passwords checked, so a test can prove what the parser delivered */
  readonly passwords: string[] = [];

  constructor(private readonly options: FakeOptions = {}) {}

  async advertise(conn: ConnectionInfo): Promise<Advertisement> {
    this.seen.push({ call: 'advertise', secure: conn.secure });
    const clear = !this.options.clearTextOnlySecure || conn.secure;
    return {
      saslMechanisms: [...(clear ? ['PLAIN', 'LOGIN'] : []), 'CRAM-MD5', 'X-WITH-DATA'],
      clearText: clear,
      apop: false,
    };
  }

  async checkClientAddress(conn: ConnectionInfo): Promise<AuthFailure | null> {
    this.seen.push({ call: 'checkClientAddress', secure: conn.secure });
    return this.options.refuseAddress ? failure('client-address') : null;
  }

  private check(user: string, password: string, conn: ConnectionInfo, mechanism: string, authzid?: string): LoginResult {
    this.passwords.push(password);
    const special = FAILING_USERS[user];
    if (special === 'secure-method-required') {
      if (!conn.secure) return { ok: false, failure: failure(special) };
      return { ok: true, success: success(user, mechanism) };
    }
    if (special) return { ok: false, failure: failure(special) };
    if (user !== 'alice') return { ok: false, failure: failure('unknown-account') };
    if (password !== 'secret') return { ok: false, failure: failure('bad-credentials') };
    if (authzid && authzid !== 'alice') return { ok: false, failure: failure('impersonation-denied') };
    return { ok: true, success: success(user, mechanism, authzid) };
  }

  startSasl(mechanism: string, conn: ConnectionInfo): SaslExchange | null {
    this.seen.push({ call: `startSasl ${mechanism}`, secure: conn.secure });
    const cancel = (): AuthFailure => failure('cancelled');
    const done = (r: LoginResult): SaslStep =>
      r.ok ? { kind: 'success', success: r.success } : { kind: 'failure', failure: r.failure };
    switch (mechanism) {
      case 'PLAIN':
        return {
          mechanism,
          cancel,
          step: async (input) => {
            if (input === null) return { kind: 'continue', challenge: Buffer.alloc(0) };
            const parts = input.toString('utf8').split('\0');
            if (parts.length !== 3) return { kind: 'failure', failure: failure('malformed') };
            const [authzid, user, password] = parts as [string, string, string];
            return done(this.check(user, password, conn, 'PLAIN', authzid || undefined));
          },
        };
      case 'LOGIN': {
        let user: string | null = null;
        let started = false;
        return {
          mechanism,
          cancel,
          step: async (input) => {
            if (!started && input === null) {
              started = true;
              return { kind: 'continue', challenge: Buffer.from('Username:') };
            }
            started = true;
            if (user === null) {
              user = (input ?? Buffer.alloc(0)).toString('utf8');
              return { kind: 'continue', challenge: Buffer.from('Password:') };
            }
            return done(this.check(user, (input ?? Buffer.alloc(0)).toString('utf8'), conn, 'LOGIN'));
          },
        };
      }
      case 'X-WITH-DATA':
        // like SCRAM: the final step succeeds and carries server data
        return {
          mechanism,
          cancel,
          step: async (input) => {
            if (input === null) return { kind: 'continue', challenge: Buffer.from('hello') };
            const r = this.check(input.toString('utf8'), 'secret', conn, 'X-WITH-DATA');
            return r.ok ? { kind: 'success', success: r.success, data: Buffer.from('v=server-final') } : done(r);
          },
        };
      default:
        return null;
    }
  }

  async loginPlaintext(user: string, password: string, conn: ConnectionInfo): Promise<LoginResult> {
    this.seen.push({ call: 'loginPlaintext', secure: conn.secure, tls: conn.tls !== undefined });
    return this.check(user, password, conn, 'LOGIN');
  }

  apopTimestamp(): string {
    return '<1.2@example.test>';
  }

  async loginApop(): Promise<LoginResult> {
    return { ok: false, failure: failure('mechanism-unavailable') };
  }
}
