import type { PasswordChecker } from '@portcullis/auth-core';

export interface PasswordVerifier {
  verify(address: string, password: string): Promise<boolean>;
}

/**
 * The External Authentication password source (`useExtPassword`). It can only check a cleartext
 * password, never give one out, and it does not serve `user$tag` logins, which name own tag
 * passwords.
 */
export function createExternalPasswordChecker(verifier: PasswordVerifier): PasswordChecker {
  return {
    source: 'external',
    enabled: (req) => req.settings.useExtPassword && req.tag === undefined,
    verify: (req, password) => verifier.verify(req.address, password),
    clearSecret: () => null,
  };
}
