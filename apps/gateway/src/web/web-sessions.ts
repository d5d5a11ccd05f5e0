/**
 * WebUser sessions in the SessionCache (Redis when configured, so every instance sees them):
 * a random ID, the account, and an idle lifetime (`webUserSessionTTL`) that each use restarts.
 */
import { randomBytes } from 'node:crypto';
import { extendSession, sessionExpiresAt, webUserSessionTtl, type DirectoryStore, type SessionCache } from '@portcullis/auth-core';

export interface WebSession {
  sessionId: string;
  /** user@domain */
  account: string;
  /** ms epoch */
  expiresAt: number;
}

type Deps = { cache: SessionCache; directory: Pick<DirectoryStore, 'getServerSettings'>; now?: () => number };

/** 128 random bits, base64url: unguessable, and safe in a cookie, a header and a SASL message. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export async function openWebSession(deps: Deps, account: string): Promise<WebSession> {
  const server = await deps.directory.getServerSettings();
  const ttl = webUserSessionTtl(server);
  const sessionId = newSessionId();
  const createdAt = (deps.now ?? Date.now)();
  await deps.cache.putSession(sessionId, { account, kind: 'webuser', createdAt }, ttl);
  return { sessionId, account, expiresAt: sessionExpiresAt({ createdAt }, server) };
}

/**
 * The open session `sessionId`, or null when unknown, closed or expired. Finding it is using it:
 * its idle lifetime starts again (sliding expiry).
 */
export async function findWebSession(deps: Deps, sessionId: string): Promise<WebSession | null> {
  const server = await deps.directory.getServerSettings();
  const record = await deps.cache.getSession(sessionId);
  if (!record || record.kind !== 'webuser') return null;
  const expiresAt = await extendSession(deps.cache, sessionId, record, server, (deps.now ?? Date.now)());
  return expiresAt === null ? null : { sessionId, account: record.account, expiresAt };
}

export async function closeWebSession(deps: Deps, sessionId: string): Promise<void> {
  await deps.cache.deleteSession(sessionId);
}
