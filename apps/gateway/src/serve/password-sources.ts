/**
 * The password sources of every account, in the order the spec gives: the own password, the OS
 * password, the Authentication URI, the External Authentication helper. The first that accepts
 * the password logs in (auth-core's checkPassword); each source decides from the account's
 * settings whether it is switched on.
 */
import { ownPasswordChecker, registerCryptVerifier, type AuthLogger, type DirectoryStore, type PasswordChecker } from '@portcullis/auth-core';
import { createExternalPasswordChecker, ExternalAuthService } from '@portcullis/ext-auth';
import { createUriPasswordChecker } from '@portcullis/ldap-auth';
import { createOsPasswordChecker, nativeCryptAvailable, verifyCrypt } from '@portcullis/os-auth';
import type { Logger } from 'pino';

export interface PasswordSourceOptions {
  logger: AuthLogger;
  /** the External Authentication helper; without it the external source refuses every check */
  externalAuth?: ExternalAuthService;
}

export function passwordSources(options: PasswordSourceOptions): PasswordChecker[] {
  // imported U-crpt hashes in formats only libcrypt implements ($y$ yescrypt...) go to os-auth
  if (nativeCryptAvailable()) registerCryptVerifier(verifyCrypt);
  else options.logger.warn({ source: 'os' }, 'the libcrypt binding of @portcullis/os-auth is not built: OS passwords and $y$ hashes cannot log in');
  const os = createOsPasswordChecker({
    onProblem: (address, reason) => options.logger.warn({ address, source: 'os' }, reason),
  });
  const uri = createUriPasswordChecker({ logger: options.logger });
  const external = createExternalPasswordChecker(options.externalAuth ?? { verify: async () => false });
  return [ownPasswordChecker, os, uri, external];
}

/**
 * The External Authentication helper of this process, following the server setting
 * `externalAuth`; its log records carry the EXTAUTH tag. Started at once when configured, so
 * that the first login does not wait for the program to start.
 */
export function startExternalAuth(logger: Logger, directory: DirectoryStore): ExternalAuthService {
  const service = new ExternalAuthService({
    loadSettings: async () => (await directory.getServerSettings()).externalAuth,
    logger: logger.child({ tag: 'EXTAUTH' }),
  });
  void service.sync();
  return service;
}
