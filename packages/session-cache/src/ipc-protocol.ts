import type { SessionCache, SessionRecord } from '@portcullis/auth-core';

/**
 * The messages between a worker's cache and the primary's (node:cluster IPC). Other modules may
 * use the same channel: both ends ignore messages whose `type` is not theirs.
 */
export const REQUEST_TYPE = 'portcullis:cache:request';
export const RESPONSE_TYPE = 'portcullis:cache:response';

export type CacheOperation = Exclude<keyof SessionCache, 'close'>;

export interface CacheRequest {
  type: typeof REQUEST_TYPE;
  id: number;
  op: CacheOperation;
  args: unknown[];
}

export type CacheResponse =
  | { type: typeof RESPONSE_TYPE; id: number; ok: true; value: unknown }
  | { type: typeof RESPONSE_TYPE; id: number; ok: false; error: string; unavailable: boolean };

type ArgKind = 'string' | 'number' | 'session';

/** Argument shapes per operation; a request that does not match is answered with an error. */
export const OPERATIONS: Record<CacheOperation, readonly ArgKind[]> = {
  recordFailure: ['string', 'number', 'number'],
  isLocked: ['string'],
  clearFailures: ['string'],
  putNonce: ['string', 'number'],
  takeNonce: ['string'],
  putSession: ['string', 'session', 'number'],
  getSession: ['string'],
  deleteSession: ['string'],
  touchSession: ['string', 'number'],
  listSessions: ['string'],
};

export function isCacheRequest(message: unknown): message is CacheRequest {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  return m['type'] === REQUEST_TYPE && typeof m['id'] === 'number' && typeof m['op'] === 'string' && Array.isArray(m['args']);
}

export function isCacheResponse(message: unknown): message is CacheResponse {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  return m['type'] === RESPONSE_TYPE && typeof m['id'] === 'number' && typeof m['ok'] === 'boolean';
}

/** Null when the arguments fit the operation, else why not. */
export function checkArguments(op: string, args: unknown[]): string | null {
  if (!Object.hasOwn(OPERATIONS, op)) return `unknown cache operation ${JSON.stringify(op).slice(0, 40)}`;
  const kinds = OPERATIONS[op as CacheOperation];
  if (args.length !== kinds.length) return `${op}: expected ${kinds.length} arguments`;
  for (const [i, kind] of kinds.entries()) {
    const arg = args[i];
    const fits = kind === 'session' ? isSessionRecord(arg) : kind === 'number' ? typeof arg === 'number' && Number.isFinite(arg) : typeof arg === kind;
    if (!fits) return `${op}: argument ${i + 1} is not a ${kind}`;
  }
  return null;
}

function isSessionRecord(value: unknown): value is SessionRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r['account'] === 'string' && (r['kind'] === 'webuser' || r['kind'] === 'ximss') && typeof r['createdAt'] === 'number';
}
