/**
 * CRAM-MD5 (RFC 2195): the server sends `<random.timestamp@host>`, the client answers
 * `user HEX(HMAC-MD5(secret, challenge))`. Needs the stored cleartext secret.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Mechanism, MechanismContext, MechanismStep } from './mechanism.js';
import { challenge, decodeUtf8, guardSession, malformed } from './outcome.js';

const NAME = 'CRAM-MD5';
const MAX_INPUT = 1024;

export interface CramMd5Options {
  /**
   * Test hook: builds the challenge for a server name. Default: `<random.milliseconds@serverName>`
   * with 64 random bits, so a challenge never repeats.
   */
  makeChallenge?: (serverName: string) => string;
}

function defaultChallenge(serverName: string): string {
  return `<${randomBytes(8).readBigUInt64BE()}.${Date.now()}@${serverName}>`;
}

export function cramMd5Digest(challengeText: string, secret: string): Buffer {
  return createHmac('md5', Buffer.from(secret, 'utf8')).update(challengeText, 'utf8').digest();
}

export function createCramMd5Mechanism(options: CramMd5Options = {}): Mechanism {
  const makeChallenge = options.makeChallenge ?? defaultChallenge;
  return {
    name: NAME,
    cleartext: false,
    credential: 'stored-secret',
    loginMethod: 'CRAM-MD5',
    create(ctx: MechanismContext) {
      let sent: string | null = null;
      return guardSession(
        NAME,
        async (input): Promise<MechanismStep> => {
          if (sent === null) {
            // A server-first mechanism: an empty initial response is the same as none.
            if (input !== null && input.length > 0) return malformed(NAME, 'no initial response allowed');
            sent = makeChallenge(ctx.conn.serverName);
            return challenge(sent);
          }
          if (input === null) return malformed(NAME, 'expected a response');
          const text = decodeUtf8(input);
          if (text === null) return malformed(NAME, 'response is not UTF-8');
          const space = text.lastIndexOf(' ');
          const user = text.slice(0, space);
          const digestHex = text.slice(space + 1);
          if (space <= 0 || user.includes('\0') || !/^[0-9a-fA-F]{32}$/.test(digestHex)) {
            return malformed(NAME, 'expected "user digest"');
          }
          // the proof goes along for a source that checks it without giving out the secret
          const lookup = await ctx.lookupSecret(user, { method: NAME, challenge: sent, response: digestHex.toLowerCase() });
          if (!lookup.ok) return { kind: 'failure', failure: lookup.failure };
          if (lookup.proof !== undefined) {
            return lookup.proof === 'accepted' ? ctx.completeSecretLogin(lookup.authcid) : ctx.failSecretLogin(lookup.authcid);
          }
          const expected = cramMd5Digest(sent, lookup.secret);
          if (timingSafeEqual(expected, Buffer.from(digestHex, 'hex'))) {
            return ctx.completeSecretLogin(lookup.authcid);
          }
          return ctx.failSecretLogin(lookup.authcid);
        },
        MAX_INPUT,
      );
    },
  };
}

export const cramMd5Mechanism: Mechanism = createCramMd5Mechanism();
