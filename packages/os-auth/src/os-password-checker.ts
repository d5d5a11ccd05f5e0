/**
 * The OS password source: the account's OS user (see os-user-name.ts) and its /etc/shadow hash,
 * verified by libcrypt. OS passwords are one-way, so this source never gives a clear secret and
 * CRAM-MD5, DIGEST-MD5, SCRAM and APOP cannot use it; `user$tag` logins are not for it either.
 */
import type { PasswordChecker, PasswordCheckRequest } from '@portcullis/auth-core';
import { composeOsUserName } from './os-user-name.js';
import { findShadowEntry, usableHash } from './shadow.js';
import { verifyCrypt } from './native-crypt.js';

export interface OsPasswordCheckerOptions {
  /** default /etc/shadow (tests point it at a file of their own) */
  shadowFile?: string;
  /** told why a check could not be made (never the password); the gateway logs it */
  onProblem?: (address: string, reason: string) => void;
}

/**
 * A yescrypt hash of a random string, checked against when the OS user is unknown or locked so
 * that such a failure costs what a wrong password costs.
 */
const DUMMY_HASH = '$y$j9T$Qm7pZ0yN3dB1vRfA9sK2t/$nKDHSNQ6S7rApp1.7695PDi83okICwmobtfAC116Ao.';

export function createOsPasswordChecker(options: OsPasswordCheckerOptions = {}): PasswordChecker {
  const shadowFile = options.shadowFile ?? '/etc/shadow';
  const problem = (req: PasswordCheckRequest, reason: string): void => options.onProblem?.(req.address, reason);

  return {
    source: 'os',
    enabled: (req) => req.settings.useOSPassword === true && req.tag === undefined,
    async verify(req, password) {
      const composed = composeOsUserName(req.settings.osUserName, req.account.name);
      if (!composed.ok) {
        problem(req, composed.reason);
        return false;
      }
      try {
        const entry = await findShadowEntry(shadowFile, composed.name);
        const hash = entry ? usableHash(entry) : undefined;
        if (hash === undefined) {
          await verifyCrypt(DUMMY_HASH, password);
          return false;
        }
        return await verifyCrypt(hash, password);
      } catch (err) {
        problem(req, `OS password check failed: ${(err as Error).message}`);
        return false;
      }
    },
    clearSecret: () => null,
  };
}
