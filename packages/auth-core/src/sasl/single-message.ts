/**
 * The session shape of mechanisms whose whole exchange is one client message (PLAIN, EXTERNAL,
 * SESSIONID): the message normally comes with the command (SASL-IR); a client without it gets one
 * empty challenge, and a second empty step is malformed.
 */
import type { MechanismSession, MechanismStep } from './mechanism.js';
import { challenge, guardSession, malformed } from './outcome.js';

export function singleMessageSession(
  mechanism: string,
  maxInput: number,
  handle: (message: Buffer) => Promise<MechanismStep>,
): MechanismSession {
  let prompted = false;
  return guardSession(
    mechanism,
    async (input): Promise<MechanismStep> => {
      if (input === null) {
        if (prompted) return malformed(mechanism, 'expected a response');
        prompted = true;
        return challenge('');
      }
      return handle(input);
    },
    maxInput,
  );
}
