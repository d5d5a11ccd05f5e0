/**
 * DIGEST-MD5 (RFC 2831), authentication only (qop=auth). The challenge has exactly the form Cyrus
 * SASL sends, because some clients (curl) accept nothing else. Nonces are single use and live in
 * the session cache (ctx.issueNonce / ctx.consumeNonce), so a captured response cannot be replayed
 * against this or another instance.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServiceName } from '../settings.js';
import type { Mechanism, MechanismContext, MechanismOutcome, MechanismStep } from './mechanism.js';
import { challenge, decodeUtf8, failure, guardSession, malformed } from './outcome.js';
import { parseDirectives, quoteDirective } from './digest-md5-parse.js';

const NAME = 'DIGEST-MD5';
/** RFC 2831 2.1.2: a digest-response is at most 4096 bytes. */
const MAX_INPUT = 4096;
const DEFAULT_NONCE_TTL_SEC = 300;

/** The serv-type a client puts in digest-uri for each of our services. */
const DIGEST_URI_SERVICES: Record<ServiceName, readonly string[]> = {
  imap: ['imap'],
  pop: ['pop', 'pop3'],
  smtp: ['smtp'],
  ldap: ['ldap'],
  ftp: ['ftp'],
  xmpp: ['xmpp'],
  pwd: ['pwd'],
  http: ['http'],
};

export interface DigestMd5Options {
  /** how long an issued nonce stays usable (seconds); default 300 */
  nonceTtlSec?: number;
}

/** The challenge text, in Cyrus SASL's order and quoting. */
export function digestMd5Challenge(realm: string, nonce: string): string {
  return `realm=${quoteDirective(realm)},nonce=${quoteDirective(nonce)},qop="auth",charset=utf-8,algorithm=md5-sess`;
}

/**
 * RFC 2831 2.1.2.1: with charset=utf-8 a string that fits in ISO-8859-1 is hashed in ISO-8859-1,
 * anything else in UTF-8. Without charset the client sent ISO-8859-1 already (which the latin1
 * reading keeps byte for byte), so the same rule gives the bytes as sent.
 */
function hashBytes(text: string): Buffer {
  for (let k = 0; k < text.length; k++) {
    if (text.charCodeAt(k) > 0xff) return Buffer.from(text, 'utf8');
  }
  return Buffer.from(text, 'latin1');
}

const md5 = (...parts: (Buffer | string)[]): Buffer => {
  const h = createHash('md5');
  for (const p of parts) h.update(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
  return h.digest();
};

export interface DigestMd5Inputs {
  /** username, realm and authzid as bytes for the hash */
  username: Buffer;
  realm: Buffer;
  password: string;
  nonce: string;
  cnonce: string;
  nc: string;
  qop: string;
  digestUri: string;
  authzid?: Buffer;
}

/** The `response` value (A2 = "AUTHENTICATE:" uri) or, with `forRspauth`, the rspauth value (A2 = ":" uri). */
export function digestMd5Response(v: DigestMd5Inputs, forRspauth: boolean): string {
  const secret = md5(v.username, ':', v.realm, ':', hashBytes(v.password));
  const a1 = v.authzid
    ? Buffer.concat([secret, Buffer.from(`:${v.nonce}:${v.cnonce}:`, 'latin1'), v.authzid])
    : Buffer.concat([secret, Buffer.from(`:${v.nonce}:${v.cnonce}`, 'latin1')]);
  const a2 = `${forRspauth ? '' : 'AUTHENTICATE'}:${v.digestUri}`;
  const ha1 = md5(a1).toString('hex');
  const ha2 = md5(a2).toString('hex');
  return md5(`${ha1}:${v.nonce}:${v.nc}:${v.cnonce}:${v.qop}:${ha2}`).toString('hex');
}

type Checked =
  | { ok: true; login: string; authzid: string | undefined; inputs: Omit<DigestMd5Inputs, 'password'>; response: string }
  | { ok: false; outcome: MechanismOutcome };

/** Everything about a digest-response that can be checked without the secret. */
function checkResponse(input: Buffer, service: ServiceName, issuedNonce: string): Checked {
  const bad = (what: string): Checked => ({ ok: false, outcome: malformed(NAME, what) });
  const parsed = parseDirectives(input.toString('latin1'));
  if (!parsed.ok) return bad(parsed.error);
  const d = parsed.directives;
  const username = d.get('username');
  const nonce = d.get('nonce');
  const cnonce = d.get('cnonce');
  const nc = d.get('nc');
  const digestUri = d.get('digest-uri');
  const response = d.get('response');
  const realmRaw = d.get('realm') ?? '';
  const qop = d.get('qop') ?? 'auth';
  const charset = d.get('charset');
  const authzidRaw = d.get('authzid');
  if (username === undefined || username === '') return bad('username is missing');
  if (nonce === undefined || cnonce === undefined || cnonce === '') return bad('nonce or cnonce is missing');
  if (digestUri === undefined || response === undefined) return bad('digest-uri or response is missing');
  if (nc === undefined || !/^00000001$/.test(nc)) return bad('nc must be 00000001');
  if (qop.toLowerCase() !== 'auth') return bad('only qop=auth is supported');
  if (charset !== undefined && charset.toLowerCase() !== 'utf-8') return bad('charset must be utf-8');
  if (!/^[0-9a-fA-F]{32}$/.test(response)) return bad('response must be 32 hex digits');
  const maxbuf = d.get('maxbuf');
  if (maxbuf !== undefined && !/^[0-9]{1,10}$/.test(maxbuf)) return bad('maxbuf must be a number');

  const uriParts = digestUri.split('/');
  const servType = uriParts[0]?.toLowerCase() ?? '';
  if (uriParts.length < 2 || uriParts.length > 3 || uriParts[1] === '') return bad('digest-uri must be serv-type/host');
  if (!DIGEST_URI_SERVICES[service].includes(servType)) {
    return { ok: false, outcome: failure('bad-credentials', `${NAME}: digest-uri names another service`) };
  }

  const utf8 = charset !== undefined;
  const decodeName = (raw: string): string | null =>
    utf8 ? decodeUtf8(Buffer.from(raw, 'latin1')) : raw;
  const login = decodeName(username);
  const realm = decodeName(realmRaw);
  if (login === null || realm === null) return bad('username or realm is not UTF-8');
  if (login.includes('\0')) return bad('username contains NUL');
  let authzid: string | undefined;
  if (authzidRaw !== undefined && authzidRaw !== '') {
    // RFC 2831 defines authzid in UTF-8; fall back to the bytes as ISO-8859-1 for old clients.
    authzid = decodeUtf8(Buffer.from(authzidRaw, 'latin1')) ?? authzidRaw;
    if (authzid.includes('\0')) return bad('authzid contains NUL');
  }

  if (nonce !== issuedNonce) {
    return { ok: false, outcome: failure('bad-credentials', `${NAME}: the nonce is not the one sent`) };
  }
  return {
    ok: true,
    login,
    authzid,
    response: response.toLowerCase(),
    inputs: {
      username: hashBytes(login),
      realm: hashBytes(realm),
      nonce,
      cnonce,
      nc,
      qop,
      digestUri,
      ...(authzidRaw !== undefined && authzidRaw !== '' ? { authzid: Buffer.from(authzidRaw, 'latin1') } : {}),
    },
  };
}

export function createDigestMd5Mechanism(options: DigestMd5Options = {}): Mechanism {
  const ttl = options.nonceTtlSec ?? DEFAULT_NONCE_TTL_SEC;
  return {
    name: NAME,
    cleartext: false,
    credential: 'stored-secret',
    loginMethod: 'DIGEST-MD5',
    create(ctx: MechanismContext) {
      let state: 'start' | 'challenged' | 'verified' = 'start';
      let nonce = '';
      let success: MechanismOutcome | null = null;
      return guardSession(
        NAME,
        async (input): Promise<MechanismStep> => {
          if (state === 'start') {
            // Subsequent authentication (a client-first response) is not supported.
            if (input !== null && input.length > 0) return malformed(NAME, 'no initial response allowed');
            nonce = await ctx.issueNonce(ttl);
            state = 'challenged';
            return challenge(digestMd5Challenge(ctx.conn.serverName, nonce));
          }
          if (state === 'verified') {
            if (input !== null && input.length > 0) return malformed(NAME, 'expected an empty response after rspauth');
            return success ?? failure('temporary', `${NAME}: no pending login`);
          }
          if (input === null) return malformed(NAME, 'expected a response');
          const checked = checkResponse(input, ctx.conn.service, nonce);
          if (!checked.ok) return checked.outcome;
          if (!(await ctx.consumeNonce(nonce))) {
            return failure('bad-credentials', `${NAME}: the nonce is stale or was already used`);
          }
          const lookup = await ctx.lookupSecret(checked.login);
          if (!lookup.ok) return { kind: 'failure', failure: lookup.failure };
          const inputs: DigestMd5Inputs = { ...checked.inputs, password: lookup.secret };
          const expected = Buffer.from(digestMd5Response(inputs, false), 'latin1');
          if (!timingSafeEqual(expected, Buffer.from(checked.response, 'latin1'))) {
            return ctx.failSecretLogin(lookup.authcid);
          }
          const outcome = await ctx.completeSecretLogin(lookup.authcid, checked.authzid);
          if (outcome.kind !== 'success') return outcome;
          success = outcome;
          state = 'verified';
          return challenge(`rspauth=${digestMd5Response(inputs, true)}`);
        },
        MAX_INPUT,
      );
    },
  };
}

export const digestMd5Mechanism: Mechanism = createDigestMd5Mechanism();
