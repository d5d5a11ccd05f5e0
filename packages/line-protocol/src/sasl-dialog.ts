/**
 * The SASL challenge/response dialog of the line-based protocols (IMAP AUTHENTICATE, POP3 AUTH,
 * and later SMTP AUTH and PWD): challenges go out base64-encoded on a protocol-specific line,
 * answers come back as base64 lines (up to 64 KiB: Kerberos tickets and bearer tokens are long),
 * `*` cancels. These protocols cannot carry data with their success reply (RFC 4422 section 3.6),
 * so extra success data (a SCRAM server-final message) goes out as one more challenge that the
 * client must answer with an empty line before the login counts.
 */
import { decodeBase64Strict, type AuthFailure, type AuthSuccess, type SaslExchange } from '@portcullis/auth-core';
import { LineTooLongError, type Connection } from '@portcullis/listener';

export const MAX_SASL_LINE = 65536;
/** no real mechanism needs this many round trips; a client that does only wastes our time */
export const MAX_SASL_ROUNDS = 32;

/** Why the dialog broke at the protocol level; each protocol words its own error reply. */
export type DialogAbort = 'line-too-long' | 'malformed-base64' | 'expected-empty' | 'too-many-rounds';

export type SaslDialogOutcome =
  | { kind: 'success'; success: AuthSuccess }
  | { kind: 'failure'; failure: AuthFailure }
  | { kind: 'aborted'; reason: DialogAbort };

export interface SaslDialogOptions {
  /** the whole challenge line, CRLF included: `+ B64` for IMAP and POP3, `334 B64` for SMTP */
  challengeLine(base64: string): string;
  maxRounds?: number;
}

/**
 * An initial response as sent on the command line: `=` is an empty one (RFC 4959, RFC 5034,
 * RFC 4954), anything else must be strict base64. Null when it is not.
 */
export function decodeInitialResponse(text: string): Buffer | null {
  if (text === '=') return Buffer.alloc(0);
  if (text === '') return null;
  return decodeBase64Strict(text);
}

type Answer = { kind: 'data'; data: Buffer } | { kind: 'cancel' } | { kind: 'aborted'; reason: DialogAbort };

async function readAnswer(conn: Connection): Promise<Answer> {
  let line: Buffer;
  try {
    line = await conn.readLine({ maxLength: MAX_SASL_LINE });
  } catch (e) {
    if (e instanceof LineTooLongError) return { kind: 'aborted', reason: 'line-too-long' };
    throw e;
  }
  // only the fact of an answer is logged: its content may carry a password
  conn.log.debug({ command: 'SASL continuation' }, 'client answer');
  const text = line.toString('latin1').trim();
  if (text === '*') return { kind: 'cancel' };
  // curl answers an empty challenge of EXTERNAL with `=` (as for an initial response); `=` is not
  // base64 of anything, so reading it as empty is unambiguous
  const data = text === '=' ? Buffer.alloc(0) : decodeBase64Strict(text);
  return data ? { kind: 'data', data } : { kind: 'aborted', reason: 'malformed-base64' };
}

export async function runSaslDialog(
  conn: Connection,
  exchange: SaslExchange,
  initialResponse: Buffer | null,
  options: SaslDialogOptions,
): Promise<SaslDialogOutcome> {
  const maxRounds = options.maxRounds ?? MAX_SASL_ROUNDS;
  let input = initialResponse;
  for (let round = 0; round < maxRounds; round++) {
    const step = await exchange.step(input);
    if (step.kind === 'failure') return { kind: 'failure', failure: step.failure };
    const challenge = step.kind === 'success' ? step.data : step.challenge;
    if (step.kind === 'success' && (!challenge || challenge.length === 0)) {
      return { kind: 'success', success: step.success };
    }
    conn.write(options.challengeLine((challenge ?? Buffer.alloc(0)).toString('base64')));
    const answer = await readAnswer(conn);
    if (answer.kind === 'cancel') return { kind: 'failure', failure: exchange.cancel() };
    if (answer.kind === 'aborted') return answer;
    if (step.kind === 'success') {
      return answer.data.length === 0 ? { kind: 'success', success: step.success } : { kind: 'aborted', reason: 'expected-empty' };
    }
    input = answer.data;
  }
  return { kind: 'aborted', reason: 'too-many-rounds' };
}
