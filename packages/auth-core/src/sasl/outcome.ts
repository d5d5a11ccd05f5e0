/**
 * Small helpers every mechanism module shares: failure outcomes, strict decoding, and the session
 * guard that turns the "never throw, never step after the end" rules into one place.
 */
import type { FailureCode } from '../results.js';
import type { MechanismOutcome, MechanismSession, MechanismStep } from './mechanism.js';

/** A failure outcome. `message` is shown to the client: never put a password in it. */
export function failure(code: FailureCode, message: string): MechanismOutcome {
  return { kind: 'failure', failure: { code, message } };
}

export function malformed(mechanism: string, what: string): MechanismOutcome {
  return failure('malformed', `${mechanism}: ${what}`);
}

export function challenge(text: string | Buffer): MechanismStep {
  return { kind: 'continue', challenge: typeof text === 'string' ? Buffer.from(text, 'utf8') : text };
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 text, or null when the bytes are not valid UTF-8 (never a replacement character). */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return null;
  }
}

const BASE64_STRICT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Base64 with padding and nothing else; Buffer.from(x, 'base64') would silently skip junk. */
export function decodeBase64Strict(text: string): Buffer | null {
  return BASE64_STRICT.test(text) ? Buffer.from(text, 'base64') : null;
}

/** Default cap on one client message; mechanisms with a standard limit pass their own. */
export const DEFAULT_MAX_INPUT = 8192;

/**
 * Wraps a mechanism's raw step function so that: input over `maxInput` fails as malformed; an
 * unexpected exception becomes a 'temporary' failure instead of escaping into the protocol; a step
 * after a final outcome (or while one is still running) fails.
 */
export function guardSession(
  mechanism: string,
  step: (input: Buffer | null) => Promise<MechanismStep>,
  maxInput: number = DEFAULT_MAX_INPUT,
): MechanismSession {
  let finished = false;
  let busy = false;
  return {
    async step(input: Buffer | null): Promise<MechanismStep> {
      if (finished) return malformed(mechanism, 'the exchange is already finished');
      if (busy) {
        finished = true;
        return malformed(mechanism, 'a step arrived while the previous one was running');
      }
      if (input !== null && input.length > maxInput) {
        finished = true;
        return malformed(mechanism, 'client message too long');
      }
      busy = true;
      let result: MechanismStep;
      try {
        result = await step(input);
      } catch {
        // A bug or a store error: the client gets a generic failure, never a stack or a secret.
        result = failure('temporary', `${mechanism}: authentication is temporarily unavailable`);
      } finally {
        busy = false;
      }
      if (result.kind !== 'continue') finished = true;
      return result;
    },
  };
}
