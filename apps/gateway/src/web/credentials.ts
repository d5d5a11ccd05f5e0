/** The credentials an HTTP request carries: a session (cookie or Bearer), Basic, or Negotiate. */
import type { FastifyRequest } from '@portcullis/http';

export const SESSION_COOKIE = 'portcullis_session';
/** IDs this server issues are 22 base64url characters; longer ones are not looked up */
const MAX_SESSION_ID = 256;
const SESSION_ID = /^[A-Za-z0-9_-]+$/;

export type RequestCredentials =
  | { kind: 'session'; sessionId: string }
  | { kind: 'basic'; user: string; password: string }
  | { kind: 'negotiate'; token: Buffer }
  | { kind: 'malformed'; scheme: string }
  | { kind: 'none' };

function plausibleSessionId(value: string): boolean {
  return value.length > 0 && value.length <= MAX_SESSION_ID && SESSION_ID.test(value);
}

/** The session cookie's value, or undefined. */
export function sessionCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (plausibleSessionId(value)) return value;
  }
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `Authorization` first (Bearer, Basic, Negotiate), then the session cookie. */
export function requestCredentials(request: FastifyRequest): RequestCredentials {
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.trim() !== '') {
    const match = /^\s*(\S+)\s*(.*?)\s*$/s.exec(auth);
    const scheme = (match?.[1] ?? '').toLowerCase();
    const value = match?.[2] ?? '';
    if (scheme === 'bearer') {
      return plausibleSessionId(value) ? { kind: 'session', sessionId: value } : { kind: 'malformed', scheme: 'Bearer' };
    }
    if (scheme === 'basic') {
      if (!BASE64.test(value)) return { kind: 'malformed', scheme: 'Basic' };
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) return { kind: 'malformed', scheme: 'Basic' };
      return { kind: 'basic', user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (scheme === 'negotiate') {
      if (!BASE64.test(value)) return { kind: 'malformed', scheme: 'Negotiate' };
      return { kind: 'negotiate', token: Buffer.from(value, 'base64') };
    }
    return { kind: 'malformed', scheme: scheme.slice(0, 20) };
  }
  const cookie = sessionCookie(request.headers.cookie);
  return cookie ? { kind: 'session', sessionId: cookie } : { kind: 'none' };
}
