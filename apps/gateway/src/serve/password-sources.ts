/**
 * The password sources of every account, in the order the spec gives: the own password, the OS
 * password, the Authentication URI, the External Authentication helper. The first that accepts
 * the password logs in (auth-core's checkPassword); each source decides from the account's
 * settings whether it is switched on.
 */
import { ownPasswordChecker, type AuthLogger, type PasswordChecker } from '@portcullis/auth-core';
import { createOsPasswordChecker } from '@portcullis/os-auth';

export interface PasswordSourceOptions {
  logger: AuthLogger;
}

export function passwordSources(options: PasswordSourceOptions): PasswordChecker[] {
  const os = createOsPasswordChecker({
    onProblem: (address, reason) => options.logger.warn({ address, source: 'os' }, reason),
  });
  // Issue 7: the Authentication URI and External helper sources are appended here, after the OS
  // one, by the engineer doing those two (this file was created with own + OS first).
  return [ownPasswordChecker, os];
}
