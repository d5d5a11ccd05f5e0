/**
 * The policy-laden core every login path shares: plaintext verification, shared-secret lookup and
 * its conclusion. Order of checks: client address, account, lockout, secure method, password,
 * then service and impersonation (these two only once the password is right, so that they tell
 * nothing to someone without it).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthLogger } from '../authenticator.js';
import type { DirectoryStore, SessionCache } from '../ports.js';
import type { AuthFailure, AuthSuccess, FailureCode } from '../results.js';
import type { MechanismOutcome, SecretLookup, SecureProof } from '../sasl/mechanism.js';
import type { AccountRecord, DomainSettings, ServerSettings } from '../settings.js';
import { effectiveAccountSettings, type EffectiveAccountSettings } from '../accounts/effective-settings.js';
import { parseLoginName, type LoginName } from '../accounts/login-name.js';
import { defaultDomainFor, resolveLoginName } from '../accounts/resolve.js';
import { dummyVerify } from '../passwords/stored-password.js';
import { failure, refusalRule } from '../policy/failures.js';
import { clientAddressAllowed } from '../policy/client-address.js';
import { clearLoginFailures, isLockedOut, recordLoginFailure } from '../policy/lockout.js';
import { secureMethodViolated, serviceEnabled } from '../policy/account-policy.js';
import {
  checkPassword,
  checkProof,
  DEFAULT_PASSWORD_CHECKERS,
  findClearSecret,
  type PasswordChecker,
  type PasswordCheckRequest,
} from '../policy/password-checkers.js';
import { resolveAuthorization, type CanImpersonate } from '../policy/impersonation.js';
import type { Attempt } from './attempt.js';
import { certificateAccount } from './certificate-login.js';
import { kerberosAccount } from './kerberos-login.js';
import { sessionAccount } from './session-login.js';
import { DEFAULT_FAILURE_DELAY_MS, SILENT_LOGGER, type AuthenticatorOptions, type LoginEvent } from './options.js';

const MAX_LOGGED_NAME = 256;

function fail(code: FailureCode, hide = false): MechanismOutcome {
  return { kind: 'failure', failure: failure(code, hide) };
}

function loggable(name: string): string {
  return name.length > MAX_LOGGED_NAME ? `${name.slice(0, MAX_LOGGED_NAME)}...` : name;
}

interface Located {
  server: ServerSettings;
  hide: boolean;
  name: LoginName | null;
  domain: DomainSettings | null;
  account: AccountRecord | null;
  address: string;
}

export class LoginEngine {
  readonly directory: DirectoryStore;
  readonly cache: SessionCache;
  readonly mainDomain: string;
  readonly logger: AuthLogger;
  private readonly canImpersonate: CanImpersonate | undefined;
  private readonly checkers: readonly PasswordChecker[];
  private readonly failureDelayMs: number;
  private readonly onLogin: AuthenticatorOptions['onLogin'];
  /** ms epoch; session expiry is judged by it */
  private readonly now: () => number;

  constructor(options: AuthenticatorOptions) {
    this.directory = options.directory;
    this.cache = options.cache;
    this.mainDomain = options.mainDomain.toLowerCase();
    this.logger = options.logger ?? SILENT_LOGGER;
    this.canImpersonate = options.canImpersonate;
    this.checkers = options.passwordCheckers ?? DEFAULT_PASSWORD_CHECKERS;
    this.failureDelayMs = options.failureDelayMs ?? DEFAULT_FAILURE_DELAY_MS;
    this.onLogin = options.onLogin;
    this.now = options.now ?? Date.now;
  }

  /** A cleartext password for `user`, opening `authzid` when given. */
  async verifyPlaintext(attempt: Attempt, user: string, password: string, authzid?: string): Promise<MechanismOutcome> {
    return this.guard(attempt, async () => {
      const found = await this.locate(attempt, user);
      if ('refused' in found) return found.refused;
      const { server, hide, name, domain, account, address } = found;
      if (!account || !name) {
        await dummyVerify(effectiveAccountSettings({}, domain, server).passwordEncryption, password);
        return fail('unknown-account', hide);
      }
      const settings = effectiveAccountSettings(account.settings, domain, server);
      if (await isLockedOut(this.cache, address, settings)) {
        if (hide) await dummyVerify(settings.passwordEncryption, password);
        return fail('locked', hide);
      }
      // Under hideUnknownAccount the password is checked first, so only its owner learns that
      // the account exists and wants TLS; otherwise the client is told at once.
      const insecure = secureMethodViolated(settings, attempt.cleartext, attempt.conn);
      if (insecure && !hide) return fail('secure-method-required');
      const req: PasswordCheckRequest = { account, address, settings, tag: name.tag, conn: attempt.conn };
      const source = await checkPassword(this.checkers, req, password);
      if (source === null) {
        await this.countFailure(attempt, address, settings);
        return fail('bad-credentials', hide);
      }
      if (insecure) return fail('secure-method-required');
      this.logger.debug({ account: address, source, connId: attempt.conn.id }, 'password accepted');
      await clearLoginFailures(this.cache, address, settings);
      return this.authorize(attempt, account, settings, server, authzid);
    });
  }

  /**
   * The cleartext secret of `user` (may carry `$tag`) for a shared-secret mechanism. With `proof`,
   * an account no source has a clear secret for may be proved by a source that checks proofs.
   */
  async lookupSecret(attempt: Attempt, user: string, proof?: SecureProof): Promise<SecretLookup> {
    const outcome = await this.guard(attempt, async (): Promise<MechanismOutcome | SecretLookup> => {
      const found = await this.locate(attempt, user);
      if ('refused' in found) return found.refused;
      const { server, hide, name, domain, account, address } = found;
      const refuse = (code: FailureCode): SecretLookup => {
        if (!hide) return { ok: false, failure: failure(code) };
        // A disguised refusal: the exchange runs on with a secret nobody knows and fails at the
        // proof, as it would for a wrong password.
        attempt.secrets.set(address, { kind: 'phantom' });
        // allowNTLMv1 as the defaults give it, so an NTLMv1 attempt is refused alike either way
        const allowNTLMv1 = effectiveAccountSettings({}, domain, server).allowNTLMv1 === true;
        return { ok: true, secret: randomBytes(24).toString('base64'), authcid: address, allowNTLMv1 };
      };
      if (!account || !name) return refuse('unknown-account');
      const settings = effectiveAccountSettings(account.settings, domain, server);
      if (await isLockedOut(this.cache, address, settings)) return refuse('locked');
      const req: PasswordCheckRequest = { account, address, settings, tag: name.tag, conn: attempt.conn };
      const secret = findClearSecret(this.checkers, req);
      if (secret === null && proof) {
        const verdict = await checkProof(this.checkers, req, proof);
        if (verdict !== null) {
          // the proof is decided; completeSecretLogin / failSecretLogin conclude it as usual
          attempt.secrets.set(address, { kind: 'real', account, settings });
          if (verdict !== 'refused') this.logger.debug({ account: address, source: verdict, connId: attempt.conn.id }, 'proof accepted');
          return {
            ok: true,
            secret: randomBytes(24).toString('base64'),
            authcid: address,
            allowNTLMv1: settings.allowNTLMv1 === true,
            proof: verdict === 'refused' ? 'refused' : 'accepted',
          };
        }
      }
      if (secret === null) return refuse('unsupported-credential');
      attempt.secrets.set(address, { kind: 'real', account, settings });
      return { ok: true, secret, authcid: address, allowNTLMv1: settings.allowNTLMv1 === true };
    });
    if ('ok' in outcome) return outcome;
    if (outcome.kind === 'failure') return { ok: false, failure: outcome.failure };
    // locate() never succeeds on its own; treat a success here as the bug it would be
    return { ok: false, failure: failure('temporary') };
  }

  /** A shared-secret proof for `authcid` checked out. */
  async completeSecretLogin(attempt: Attempt, authcid: string, authzid?: string): Promise<MechanismOutcome> {
    return this.guard(attempt, async () => {
      const state = attempt.secrets.get(authcid);
      if (!state) return this.unlookedUp(attempt, authcid);
      const server = await this.directory.getServerSettings();
      if (state.kind === 'phantom') return fail('bad-credentials', true);
      await clearLoginFailures(this.cache, authcid, state.settings);
      return this.authorize(attempt, state.account, state.settings, server, authzid);
    });
  }

  /** A shared-secret proof for `authcid` was wrong. */
  async failSecretLogin(attempt: Attempt, authcid: string): Promise<MechanismOutcome> {
    return this.guard(attempt, async () => {
      const state = attempt.secrets.get(authcid);
      if (!state) return this.unlookedUp(attempt, authcid);
      if (state.kind === 'phantom') return fail('bad-credentials', true);
      const server = await this.directory.getServerSettings();
      await this.countFailure(attempt, authcid, state.settings);
      return fail('bad-credentials', Boolean(server.hideUnknownAccount));
    });
  }

  /** SASL EXTERNAL: the link's client certificate names the account (certificate-login.ts). */
  async completeCertificateLogin(attempt: Attempt, authzid?: string): Promise<MechanismOutcome> {
    return this.guard(attempt, async () => {
      const found = await certificateAccount(this.directory, this.cache, attempt, this.mainDomain, this.logger);
      if (!found.ok) return fail(found.code, found.hide);
      await clearLoginFailures(this.cache, found.address, found.settings);
      return this.authorize(attempt, found.account, found.settings, found.server, authzid);
    });
  }

  /** SASL GSSAPI: a ticket checked with `keyDomain`'s key proved `address` (kerberos-login.ts). */
  async completeKerberosLogin(attempt: Attempt, address: string, keyDomain: string, authzid?: string): Promise<MechanismOutcome> {
    return this.guard(attempt, async () => {
      const found = await kerberosAccount(this.directory, this.cache, attempt, address, keyDomain);
      if (!found.ok) return fail(found.code, found.hide);
      await clearLoginFailures(this.cache, found.address, found.settings);
      return this.authorize(attempt, found.account, found.settings, found.server, authzid);
    });
  }

  /** SASL SESSIONID: `user` presents a WebUser session ID (session-login.ts). */
  async completeSessionLogin(attempt: Attempt, user: string, sessionId: string): Promise<MechanismOutcome> {
    return this.guard(attempt, async () => {
      const found = await sessionAccount(this.directory, this.cache, attempt, user, sessionId, this.mainDomain, this.now());
      if (!found.ok) {
        // a wrong session ID for a real account counts like a wrong password
        if (found.countAgainst) await this.countFailure(attempt, found.countAgainst.address, found.countAgainst.settings);
        return fail(found.code, found.hide);
      }
      await clearLoginFailures(this.cache, found.address, found.settings);
      return this.authorize(attempt, found.account, found.settings, found.server, undefined);
    });
  }

  /** Log the outcome and hold a failure back for the failure delay. */
  async conclude<T extends MechanismOutcome>(attempt: Attempt, outcome: T): Promise<T> {
    const base = {
      account: attempt.account,
      service: attempt.conn.service,
      mechanism: attempt.mechanism,
      remoteAddress: attempt.conn.remoteAddress,
      connId: attempt.conn.id,
    };
    if (outcome.kind === 'success') {
      const { authcid, authzid } = outcome.success;
      this.logger.info({ ...base, account: authcid, authzid, result: 'success' }, 'login succeeded');
      this.report(attempt, 'success');
      return outcome;
    }
    this.logger.info({ ...base, result: outcome.failure.code }, 'login failed');
    this.report(attempt, outcome.failure.code, outcome.failure);
    if (outcome.failure.code !== 'cancelled' && this.failureDelayMs > 0) await sleep(this.failureDelayMs);
    return outcome;
  }

  /** Log a refusal that did not go through an attempt (e.g. an unknown mechanism). */
  logRefusal(attempt: Attempt, result: AuthFailure): void {
    this.logger.info(
      {
        account: attempt.account,
        service: attempt.conn.service,
        mechanism: attempt.mechanism,
        remoteAddress: attempt.conn.remoteAddress,
        connId: attempt.conn.id,
        result: result.code,
      },
      'login failed',
    );
    this.report(attempt, result.code, result);
  }

  private report(attempt: Attempt, result: LoginEvent['result'], refused?: AuthFailure): void {
    if (!this.onLogin) return;
    try {
      this.onLogin({
        service: attempt.conn.service,
        mechanism: attempt.mechanism,
        result,
        durationMs: performance.now() - attempt.startedAt,
        ...(attempt.lockedNow ? { locked: true } : {}),
        // for the login log: who tried from where, and which rule refused it
        ...(attempt.account !== undefined ? { account: attempt.account } : {}),
        remoteAddress: attempt.conn.remoteAddress,
        ...(refused ? { rule: refusalRule(refused) } : {}),
      });
    } catch (err) {
      // an observer must never change a login's outcome
      this.logger.debug({ err: err instanceof Error ? err.message : String(err) }, 'onLogin observer threw');
    }
  }

  private async locate(attempt: Attempt, user: string): Promise<Located | { refused: MechanismOutcome }> {
    const server = await this.directory.getServerSettings();
    const hide = Boolean(server.hideUnknownAccount);
    attempt.account = loggable(user);
    if (!clientAddressAllowed(server, attempt.conn.remoteAddress, attempt.conn.localAddress)) {
      return { refused: fail('client-address') };
    }
    const name = parseLoginName(user);
    if (!name) return { server, hide, name, domain: null, account: null, address: loggable(user.toLowerCase()) };
    const resolved = await resolveLoginName(this.directory, name, defaultDomainFor(attempt.conn, this.mainDomain));
    attempt.account = name.tag === undefined ? resolved.address : `${name.user}$${name.tag}@${resolved.address.split('@')[1]}`;
    return { server, hide, name, ...resolved };
  }

  /** Service and impersonation checks after the credentials checked out; the success itself. */
  private async authorize(
    attempt: Attempt,
    authc: AccountRecord,
    settings: EffectiveAccountSettings,
    server: ServerSettings,
    authzid: string | undefined,
  ): Promise<MechanismOutcome> {
    if (!serviceEnabled(settings, attempt.conn.service)) return fail('service-disabled');
    const authz = await resolveAuthorization(this.directory, authc, authzid, this.canImpersonate, attempt.mechanism);
    if (!authz.ok) return fail('impersonation-denied');
    const authcid = `${authc.name}@${authc.domain}`;
    if (authz.address !== authcid) {
      const domain = await this.directory.getDomain(authz.account.domain);
      const target = effectiveAccountSettings(authz.account.settings, domain, server);
      if (!serviceEnabled(target, attempt.conn.service)) return fail('service-disabled');
    }
    const success: AuthSuccess = { authcid, authzid: authz.address, account: authz.account, mechanism: attempt.mechanism };
    attempt.granted = success;
    return { kind: 'success', success };
  }

  private async countFailure(attempt: Attempt, address: string, settings: EffectiveAccountSettings): Promise<void> {
    const state = await recordLoginFailure(this.cache, address, settings);
    // failures counted while already locked report locked too; only the one that reached the limit locked it
    if (state?.locked && state.count === settings.failedLoginLimit) attempt.lockedNow = true;
    if (state?.locked) {
      this.logger.warn({ account: address, failures: state.count }, 'account temporarily locked after failed logins');
    }
  }

  private unlookedUp(attempt: Attempt, authcid: string): MechanismOutcome {
    // a mechanism may only conclude for an identity whose secret it was given
    this.logger.warn({ mechanism: attempt.mechanism, account: loggable(authcid) }, 'mechanism concluded an identity it did not look up');
    return fail('bad-credentials', true);
  }

  /** Storage errors become a 'temporary' failure; they never escape to the protocol. */
  private async guard<T>(attempt: Attempt, body: () => Promise<T>): Promise<T | MechanismOutcome> {
    try {
      return await body();
    } catch (err) {
      this.logger.warn(
        { mechanism: attempt.mechanism, connId: attempt.conn.id, err: err instanceof Error ? err.message : String(err) },
        'authentication error',
      );
      return fail('temporary');
    }
  }
}
