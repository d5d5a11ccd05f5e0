/**
 * One simple bind against an external LDAP server with ldapts: success means the password is
 * right. Every failure (wrong password, unreachable server, time-out, TLS trouble) is a refused
 * check, and a hard deadline over the whole exchange makes sure a check never hangs.
 */
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError } from 'ldapts';

export interface BindOptions {
  url: string;
  bindName: string;
  password: string;
  connectTimeoutMs: number;
  /** the bind operation's own time-out, and (with connectTimeoutMs) the whole exchange's */
  timeoutMs: number;
  tlsOptions?: ConnectionOptions;
}

export type BindResult = { ok: true } | { ok: false; reason: 'invalid-credentials' | 'error'; detail: string };

export async function simpleBind(options: BindOptions): Promise<BindResult> {
  // An empty password makes a simple bind "unauthenticated" (RFC 4513 5.1.2), which many servers
  // accept: it must never count as a login.
  if (options.password === '') return { ok: false, reason: 'invalid-credentials', detail: 'empty password' };
  const client = new Client({
    url: options.url,
    connectTimeout: options.connectTimeoutMs,
    timeout: options.timeoutMs,
    // the bind name may be a non-DN (DOMAIN\user, user@domain): the server judges it
    strictDN: false,
    ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<BindResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: 'error', detail: 'time-out' }), options.connectTimeoutMs + options.timeoutMs + 500);
  });
  const attempt = (async (): Promise<BindResult> => {
    try {
      await client.bind(options.bindName, options.password);
      return { ok: true };
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return { ok: false, reason: 'invalid-credentials', detail: 'invalid credentials' };
      return { ok: false, reason: 'error', detail: (err as Error).message || String(err) };
    }
  })();
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
    client.unbind().catch(() => undefined);
  }
}
