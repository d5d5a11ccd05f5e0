/**
 * PWD's `AUTH SESSIONID user id` as the SASL SESSIONID mechanism with the parameters as its
 * initial response, so that it is checked exactly like IMAP's AUTHENTICATE SESSIONID.
 */
import type { Authenticator, ConnectionInfo, LoginResult } from '@portcullis/auth-core';
import { failure } from '@portcullis/auth-core';

export function sessionIdLogin(authenticator: Authenticator): (user: string, sessionId: string, conn: ConnectionInfo) => Promise<LoginResult> {
  return async (user, sessionId, conn) => {
    const exchange = authenticator.startSasl('SESSIONID', conn);
    if (!exchange) return { ok: false, failure: failure('mechanism-unavailable') };
    const step = await exchange.step(Buffer.from(`${user} ${sessionId}`, 'utf8'));
    if (step.kind === 'success') return { ok: true, success: step.success };
    if (step.kind === 'failure') return { ok: false, failure: step.failure };
    // SESSIONID finishes in one message; anything else is a bug, not a reason to hang
    return { ok: false, failure: exchange.cancel() };
  };
}
