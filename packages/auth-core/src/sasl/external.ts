/**
 * EXTERNAL (RFC 4422 appendix A) with a TLS client certificate: the one client message is the
 * authorization identity, empty for "the identity the certificate names". The verification is
 * the engine's (certificate-login.ts): a mechanism never sees the directory.
 */
import type { Mechanism, MechanismContext } from './mechanism.js';
import { decodeUtf8, failure, malformed } from './outcome.js';
import { singleMessageSession } from './single-message.js';

const NAME = 'EXTERNAL';
const MAX_INPUT = 1024;

export const externalMechanism: Mechanism = {
  name: NAME,
  cleartext: false,
  credential: 'none',
  requiresTls: true,
  loginMethod: 'EXTERNAL',
  create(ctx: MechanismContext) {
    return singleMessageSession(NAME, MAX_INPUT, async (input) => {
      const authzid = decodeUtf8(input);
      if (authzid === null || authzid.includes('\0')) return malformed(NAME, 'the authorization identity is not UTF-8 text');
      if (!ctx.completeCertificateLogin) return failure('mechanism-unavailable', 'EXTERNAL is not available here');
      return ctx.completeCertificateLogin(authzid === '' ? undefined : authzid);
    });
  },
};
