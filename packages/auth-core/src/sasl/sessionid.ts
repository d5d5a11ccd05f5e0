/**
 * SESSIONID (the spec's SessionID method): `userName SP session-ID` in one message, the ID of an
 * open WebUser session of that account in place of its password. The engine checks the session
 * (completeSessionLogin); this module only parses.
 */
import type { Mechanism, MechanismContext } from './mechanism.js';
import { decodeUtf8, failure, malformed } from './outcome.js';
import { singleMessageSession } from './single-message.js';

const NAME = 'SESSIONID';
/** a login name (512) and a session ID (256) with room to spare */
const MAX_INPUT = 1024;

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** `user session-id`, or null when malformed (exactly one space, both parts non-empty). */
export function parseSessionIdMessage(input: Buffer): { user: string; sessionId: string } | null {
  const text = decodeUtf8(input);
  if (text === null) return null;
  const parts = text.split(' ');
  if (parts.length !== 2) return null;
  const [user, sessionId] = parts as [string, string];
  if (user === '' || sessionId === '' || hasControl(text)) return null;
  return { user, sessionId };
}

export const sessionIdMechanism: Mechanism = {
  name: NAME,
  // the session ID is a bearer secret, but not the account's password: secureMethodRequired
  // guards passwords, and the session was opened by a login that already passed it
  cleartext: false,
  credential: 'none',
  loginMethod: 'SESSIONID',
  create(ctx: MechanismContext) {
    // the spec wants the parameters with the command; clients without SASL-IR get one prompt
    return singleMessageSession(NAME, MAX_INPUT, async (input) => {
      const fields = parseSessionIdMessage(input);
      if (!fields) return malformed(NAME, 'expected userName SP session-ID');
      if (!ctx.completeSessionLogin) return failure('mechanism-unavailable', 'SESSIONID is not available here');
      return ctx.completeSessionLogin(fields.user, fields.sessionId);
    });
  },
};
