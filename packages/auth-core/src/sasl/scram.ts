/**
 * SCRAM-SHA-1 / SCRAM-SHA-256 (RFC 5802, RFC 7677) and their -PLUS variants with the
 * tls-exporter and tls-server-end-point channel bindings. The store holds the cleartext secret,
 * so SaltedPassword is derived per exchange with a fresh random salt.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import saslprep from '@mongodb-js/saslprep';
import type { Mechanism, MechanismContext, MechanismOutcome, MechanismStep } from './mechanism.js';
import { challenge, decodeBase64Strict, decodeUtf8, failure, guardSession, malformed } from './outcome.js';
import { availableChannelBindings, channelBindingData, CHANNEL_BINDING_TYPES } from './scram-channel-binding.js';
import { parseClientFinal, parseClientFirst, type ClientFirst } from './scram-messages.js';

const pbkdf2Async = promisify(pbkdf2);
const MAX_INPUT = 4096;
export const DEFAULT_SCRAM_ITERATIONS = 4096;

export type ScramHash = 'sha1' | 'sha256';

export interface ScramOptions {
  hash: ScramHash;
  /** the -PLUS variant: channel binding required, offered only on TLS */
  plus: boolean;
  /** PBKDF2 iterations sent to the client; default 4096 (the RFC 7677 minimum) */
  iterations?: number;
  /**
   * Test hook for the RFC vectors: fixed server nonce part and salt. Production leaves it out:
   * the defaults are 18 and 16 random bytes.
   */
  random?: {
    serverNonce?: () => string;
    salt?: () => Buffer;
  };
}

const HASH_LENGTH: Record<ScramHash, number> = { sha1: 20, sha256: 32 };

/** SASLprep as a query string (unassigned code points allowed); null when prohibited. */
function prep(text: string): string | null {
  try {
    return saslprep(text, { allowUnassigned: true });
  } catch {
    return null;
  }
}

/** The keys both sides derive; exported so tests and tools need not repeat the arithmetic. */
export async function scramKeys(
  hash: ScramHash,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<{ storedKey: Buffer; serverKey: Buffer; clientKey: Buffer }> {
  // RFC 5802 Normalize(): a password SASLprep refuses is used as given, as common clients do.
  const normalized = prep(password) ?? password;
  const salted = await pbkdf2Async(Buffer.from(normalized, 'utf8'), salt, iterations, HASH_LENGTH[hash], hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  const serverKey = createHmac(hash, salted).update('Server Key').digest();
  const storedKey = createHash(hash).update(clientKey).digest();
  return { storedKey, serverKey, clientKey };
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let k = 0; k < a.length; k++) out[k] = (a[k] as number) ^ (b[k] as number);
  return out;
}

export function createScramMechanism(options: ScramOptions): Mechanism {
  const { hash, plus } = options;
  const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('SCRAM iterations must be a positive integer');
  const name = `SCRAM-${hash === 'sha1' ? 'SHA-1' : 'SHA-256'}${plus ? '-PLUS' : ''}`;
  const makeServerNonce = options.random?.serverNonce ?? (() => randomBytes(18).toString('base64'));
  const makeSalt = options.random?.salt ?? (() => randomBytes(16));

  return {
    name,
    cleartext: false,
    credential: 'stored-secret',
    requiresTls: plus,
    loginMethod: 'SCRAM',
    create(ctx: MechanismContext) {
      let state: 'start' | 'first' | 'final' = 'start';
      let first: ClientFirst | null = null;
      let cbData: Buffer = Buffer.alloc(0);
      let authcid = '';
      let secret = '';
      let serverFirst = '';
      let nonce = '';
      let salt: Buffer = Buffer.alloc(0);
      let unknownAccount: MechanismOutcome | null = null;

      const onClientFirst = async (text: string): Promise<MechanismStep> => {
        const parsed = parseClientFirst(text);
        if (!parsed.ok) return malformed(name, parsed.error);
        const msg = parsed.value;
        if (plus) {
          if (msg.cbindFlag !== 'p') return failure('bad-credentials', `${name}: channel binding is required`);
          const data = CHANNEL_BINDING_TYPES.includes(msg.cbName as never)
            ? channelBindingData(ctx.conn.tls, msg.cbName as string)
            : null;
          if (!data) return failure('mechanism-unavailable', `${name}: channel binding type is not available`);
          cbData = data;
        } else if (msg.cbindFlag === 'p') {
          return malformed(name, 'channel binding needs a -PLUS mechanism');
        } else if (msg.cbindFlag === 'y' && ctx.conn.secure && availableChannelBindings(ctx.conn.tls).length > 0) {
          // The client would have bound the channel had it seen -PLUS, and we offer -PLUS here.
          return failure('bad-credentials', `${name}: channel binding downgrade detected`);
        }
        const user = prep(msg.username);
        if (user === null || user === '') return malformed(name, 'user name is not allowed by SASLprep');
        const lookup = await ctx.lookupSecret(user);
        if (lookup.ok) {
          authcid = lookup.authcid;
          secret = lookup.secret;
        } else if (lookup.failure.code === 'unknown-account') {
          // Answer as for a real account (the salt is random per exchange for everyone) and fail
          // after the proof, so the first round trip does not tell which accounts exist.
          unknownAccount = { kind: 'failure', failure: lookup.failure };
        } else {
          return { kind: 'failure', failure: lookup.failure };
        }
        first = msg;
        nonce = msg.clientNonce + makeServerNonce();
        salt = makeSalt();
        serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
        state = 'final';
        return challenge(serverFirst);
      };

      const onClientFinal = async (text: string, msgFirst: ClientFirst): Promise<MechanismStep> => {
        const parsed = parseClientFinal(text);
        if (!parsed.ok) return malformed(name, parsed.error);
        const fin = parsed.value;
        if (fin.nonce !== nonce) return malformed(name, 'nonce does not match');
        const cbInput = decodeBase64Strict(fin.channelBinding);
        const expectedCb = Buffer.concat([Buffer.from(msgFirst.gs2Header, 'utf8'), cbData]);
        if (!cbInput) return malformed(name, 'channel binding is not base64');
        if (cbInput.length !== expectedCb.length || !timingSafeEqual(cbInput, expectedCb)) {
          return failure('bad-credentials', `${name}: channel binding does not match`);
        }
        const proof = decodeBase64Strict(fin.proof);
        if (!proof || proof.length !== HASH_LENGTH[hash]) return malformed(name, 'bad proof');
        if (unknownAccount) return unknownAccount;

        const keys = await scramKeys(hash, secret, salt, iterations);
        secret = '';
        const authMessage = `${msgFirst.bare},${serverFirst},${fin.withoutProof}`;
        const clientSignature = createHmac(hash, keys.storedKey).update(authMessage, 'utf8').digest();
        const expectedProof = xor(keys.clientKey, clientSignature);
        if (!timingSafeEqual(expectedProof, proof)) return ctx.failSecretLogin(authcid);
        const outcome = await ctx.completeSecretLogin(authcid, msgFirst.authzid);
        if (outcome.kind !== 'success') return outcome;
        const serverSignature = createHmac(hash, keys.serverKey).update(authMessage, 'utf8').digest();
        return { ...outcome, data: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8') };
      };

      return guardSession(
        name,
        async (input): Promise<MechanismStep> => {
          if (state === 'start' && input === null) {
            state = 'first';
            return challenge('');
          }
          if (input === null) return malformed(name, 'expected a client message');
          const text = decodeUtf8(input);
          if (text === null || text.includes('\0')) return malformed(name, 'message is not valid UTF-8');
          if (state === 'final' && first) return onClientFinal(text, first);
          return onClientFirst(text);
        },
        MAX_INPUT,
      );
    },
  };
}

export const scramSha256PlusMechanism = createScramMechanism({ hash: 'sha256', plus: true });
export const scramSha1PlusMechanism = createScramMechanism({ hash: 'sha1', plus: true });
export const scramSha256Mechanism = createScramMechanism({ hash: 'sha256', plus: false });
export const scramSha1Mechanism = createScramMechanism({ hash: 'sha1', plus: false });
