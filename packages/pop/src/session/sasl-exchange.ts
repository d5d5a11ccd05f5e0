/**
 * One RFC 5034 AUTH exchange over a connection: challenges go out as "+ base64", client answers
 * come back as base64 lines (up to 64 KiB), "*" cancels. Extra success data (a SCRAM
 * server-final message) is sent as one more challenge that the client must answer with an empty
 * line before the login counts.
 */
import type { AuthFailure, AuthSuccess, SaslExchange } from '@portcullis/auth-core';
import { LineTooLongError, type Connection } from '@portcullis/listener';
import { continuation, decodeBase64Strict } from '../codec/index.js';

export const MAX_SASL_LINE = 65536;
/** no real mechanism needs this many round trips; a client that does is only wasting our time */
export const MAX_SASL_ROUNDS = 32;

export type SaslOutcome =
  | { kind: 'success'; success: AuthSuccess }
  | { kind: 'failure'; failure: AuthFailure }
  /** the exchange broke at the protocol level; `reason` is the -ERR text */
  | { kind: 'aborted'; reason: string };

type ClientAnswer = { kind: 'data'; data: Buffer } | { kind: 'cancel' } | { kind: 'bad'; reason: string };

async function readAnswer(conn: Connection): Promise<ClientAnswer> {
  let line: Buffer;
  try {
    line = await conn.readLine({ maxLength: MAX_SASL_LINE });
  } catch (e) {
    if (e instanceof LineTooLongError) return { kind: 'bad', reason: 'line too long' };
    throw e;
  }
  // only the fact of a line is logged: its content may be a password
  conn.log.debug({ command: 'AUTH continuation' }, 'pop command');
  const text = line.toString('latin1');
  if (text === '*') return { kind: 'cancel' };
  const data = decodeBase64Strict(text);
  return data ? { kind: 'data', data } : { kind: 'bad', reason: 'malformed base64' };
}

export async function runSaslExchange(
  conn: Connection,
  exchange: SaslExchange,
  initialResponse: Buffer | null,
): Promise<SaslOutcome> {
  let input = initialResponse;
  for (let round = 0; round < MAX_SASL_ROUNDS; round++) {
    const step = await exchange.step(input);
    if (step.kind === 'failure') return { kind: 'failure', failure: step.failure };
    if (step.kind === 'success') {
      if (!step.data) return { kind: 'success', success: step.success };
      conn.write(continuation(step.data));
      const answer = await readAnswer(conn);
      if (answer.kind === 'cancel') return { kind: 'failure', failure: exchange.cancel() };
      if (answer.kind === 'bad') return { kind: 'aborted', reason: answer.reason };
      if (answer.data.length !== 0) return { kind: 'aborted', reason: 'expected an empty response' };
      return { kind: 'success', success: step.success };
    }
    conn.write(continuation(step.challenge));
    const answer = await readAnswer(conn);
    if (answer.kind === 'cancel') return { kind: 'failure', failure: exchange.cancel() };
    if (answer.kind === 'bad') return { kind: 'aborted', reason: answer.reason };
    input = answer.data;
  }
  return { kind: 'aborted', reason: 'too many authentication steps' };
}
