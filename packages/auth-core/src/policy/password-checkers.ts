/**
 * Password sources, checked in order: the own password, then (later issues) the OS password, the
 * Authentication URI and the External Authentication helper. Each is one PasswordChecker; a later
 * source is one more module appended to the list.
 */
import type { ConnectionInfo } from '../connection.js';
import type { AccountRecord } from '../settings.js';
import type { EffectiveAccountSettings } from '../accounts/effective-settings.js';
import { clearSecretOf, verifyStoredPassword } from '../passwords/stored-password.js';
import type { SecureProof } from '../sasl/mechanism.js';

export interface PasswordCheckRequest {
  account: AccountRecord;
  /** user@domain */
  address: string;
  settings: EffectiveAccountSettings;
  /** `user$tag` logins: the tag. Sources other than the own password should refuse tagged logins. */
  tag: string | undefined;
  conn: ConnectionInfo;
}

export interface PasswordChecker {
  /** for logs: 'own', 'os', 'uri', 'external' */
  readonly source: string;
  /** the account has this source switched on */
  enabled(req: PasswordCheckRequest): boolean;
  verify(req: PasswordCheckRequest, password: string): Promise<boolean>;
  /** the cleartext secret for shared-secret mechanisms; null when this source cannot give one */
  clearSecret(req: PasswordCheckRequest): string | null;
  /**
   * Optional: check a secure-method proof without giving the secret out (External
   * Authentication `SASL(method)`). Asked only when no enabled source has a clear secret.
   */
  verifyProof?(req: PasswordCheckRequest, proof: SecureProof): Promise<boolean>;
}

function findTag(tagPasswords: Record<string, string> | undefined, tag: string): string | undefined {
  if (!tagPasswords) return undefined;
  const direct = Object.prototype.hasOwnProperty.call(tagPasswords, tag) ? tagPasswords[tag] : undefined;
  if (direct !== undefined) return direct;
  // login names are lower-cased; the setting may spell the tag in any case
  const key = Object.keys(tagPasswords).find((k) => k.toLowerCase() === tag);
  return key === undefined ? undefined : tagPasswords[key];
}

function ownStored(req: PasswordCheckRequest): string | undefined {
  return req.tag === undefined ? req.settings.password : findTag(req.settings.tagPasswords, req.tag);
}

/** The account's own password (`password`), or a tag password for `user$tag`. */
export const ownPasswordChecker: PasswordChecker = {
  source: 'own',
  enabled: (req) => req.settings.useCGPassword,
  verify: (req, password) => verifyStoredPassword(ownStored(req), password),
  clearSecret: (req) => clearSecretOf(ownStored(req)),
};

export const DEFAULT_PASSWORD_CHECKERS: readonly PasswordChecker[] = [ownPasswordChecker];

/** The first source that accepts the password, or null. */
export async function checkPassword(
  checkers: readonly PasswordChecker[],
  req: PasswordCheckRequest,
  password: string,
): Promise<string | null> {
  for (const checker of checkers) {
    if (checker.enabled(req) && (await checker.verify(req, password))) return checker.source;
  }
  return null;
}

/** The first cleartext secret an enabled source can give, or null. */
export function findClearSecret(checkers: readonly PasswordChecker[], req: PasswordCheckRequest): string | null {
  for (const checker of checkers) {
    if (!checker.enabled(req)) continue;
    const secret = checker.clearSecret(req);
    if (secret !== null) return secret;
  }
  return null;
}

/**
 * A secure-method proof checked by the enabled sources that can check proofs, in order: the
 * source that accepted it, 'refused' when those that can all refused it, null when none can.
 */
export async function checkProof(
  checkers: readonly PasswordChecker[],
  req: PasswordCheckRequest,
  proof: SecureProof,
): Promise<string | 'refused' | null> {
  let asked = false;
  for (const checker of checkers) {
    if (!checker.verifyProof || !checker.enabled(req)) continue;
    asked = true;
    if (await checker.verifyProof(req, proof)) return checker.source;
  }
  return asked ? 'refused' : null;
}
