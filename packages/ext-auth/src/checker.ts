import type { PasswordChecker } from '@portcullis/auth-core';
import { isSaslMethod, type SaslMethod } from './vocabulary.js';

export interface PasswordVerifier {
  verify(address: string, password: string): Promise<boolean>;
  /** a secure-method proof (`SASL(<method>)`); without it the source cannot serve secure methods */
  verifyProof?(address: string, method: SaslMethod, challenge: string, response: string): Promise<boolean>;
}

/**
 * The External Authentication password source (`useExtPassword`). It checks a cleartext password
 * (`VRFY`) or a CRAM-MD5 / APOP proof (`SASL(<method>)`), never gives a password out, and does not
 * serve `user$tag` logins, which name own tag passwords.
 */
export function createExternalPasswordChecker(verifier: PasswordVerifier): PasswordChecker {
  const checker: PasswordChecker = {
    source: 'external',
    enabled: (req) => req.settings.useExtPassword && req.tag === undefined,
    verify: (req, password) => verifier.verify(req.address, password),
    clearSecret: () => null,
  };
  const verifyProof = verifier.verifyProof?.bind(verifier);
  if (verifyProof) {
    checker.verifyProof = async (req, proof) =>
      isSaslMethod(proof.method) && verifyProof(req.address, proof.method, proof.challenge, proof.response);
  }
  return checker;
}
