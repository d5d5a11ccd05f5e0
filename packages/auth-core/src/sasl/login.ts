/**
 * LOGIN (draft-murchison-sasl-login): the server asks "Username:" then "Password:". An initial
 * response, when a client sends one, is the user name.
 */
import type { Mechanism, MechanismContext, MechanismStep } from './mechanism.js';
import { challenge, decodeUtf8, guardSession, malformed } from './outcome.js';

const NAME = 'LOGIN';
const MAX_INPUT = 1024;

export const loginMechanism: Mechanism = {
  name: NAME,
  cleartext: true,
  credential: 'verify-plaintext',
  loginMethod: 'CLRTXT',
  create(ctx: MechanismContext) {
    let state: 'start' | 'username' | 'password' = 'start';
    let username = '';
    return guardSession(
      NAME,
      async (input): Promise<MechanismStep> => {
        if (state === 'start' && input === null) {
          state = 'username';
          return challenge('Username:');
        }
        if (input === null) return malformed(NAME, 'expected a response');
        const text = decodeUtf8(input);
        if (text === null || text.includes('\0')) return malformed(NAME, 'invalid characters');
        if (state === 'start' || state === 'username') {
          if (text === '') return malformed(NAME, 'empty user name');
          username = text;
          state = 'password';
          return challenge('Password:');
        }
        return ctx.verifyPlaintext(username, text);
      },
      MAX_INPUT,
    );
  },
};
