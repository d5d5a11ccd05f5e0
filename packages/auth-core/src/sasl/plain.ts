/** PLAIN (RFC 4616): `[authzid] NUL authcid NUL passwd` in one message. */
import type { Mechanism, MechanismContext } from './mechanism.js';
import { decodeUtf8, malformed } from './outcome.js';
import { singleMessageSession } from './single-message.js';

const NAME = 'PLAIN';
/** RFC 4616 asks for at least 255 octets per field; three generous fields plus separators. */
const MAX_INPUT = 3 * 1024 + 2;

/** The three fields of a PLAIN message, or null when it is malformed. */
export function parsePlainMessage(
  input: Buffer,
): { authzid: string; authcid: string; password: string } | null {
  const text = decodeUtf8(input);
  if (text === null) return null;
  const parts = text.split('\0');
  if (parts.length !== 3) return null;
  const [authzid, authcid, password] = parts as [string, string, string];
  if (authcid === '' || password === '') return null;
  return { authzid, authcid, password };
}

export const plainMechanism: Mechanism = {
  name: NAME,
  cleartext: true,
  credential: 'verify-plaintext',
  loginMethod: 'CLRTXT',
  create(ctx: MechanismContext) {
    return singleMessageSession(NAME, MAX_INPUT, async (input) => {
      const fields = parsePlainMessage(input);
      if (!fields) return malformed(NAME, 'expected authzid NUL authcid NUL password');
      return ctx.verifyPlaintext(fields.authcid, fields.password, fields.authzid || undefined);
    });
  },
};
