/**
 * A SCRAM client (RFC 5802, RFC 7677) with channel binding (RFC 5929 tls-server-end-point,
 * RFC 9266 tls-exporter), written here so the server is checked against an independent one.
 */
import crypto from 'node:crypto';
import type tls from 'node:tls';

export type ScramHash = 'sha1' | 'sha256';
export type ChannelBinding = 'tls-exporter' | 'tls-server-end-point';

export interface ScramOptions {
  hash: ScramHash;
  user: string;
  password: string;
  /** -PLUS: bind to this TLS connection */
  binding?: { type: ChannelBinding; socket: tls.TLSSocket; /** replace the real data (refusal tests) */ override?: Buffer };
  nonce?: string;
  /** an authorization identity for the GS2 header (`a=`) */
  authzid?: string;
}

export function scramMechanism(hash: ScramHash, plus: boolean): string {
  return `SCRAM-SHA-${hash === 'sha1' ? '1' : '256'}${plus ? '-PLUS' : ''}`;
}

export class ScramClient {
  private readonly clientNonce: string;
  private readonly gs2Header: string;
  private readonly clientFirstBare: string;
  private serverSignature: Buffer | undefined;
  readonly cbData: Buffer;

  constructor(private readonly opts: ScramOptions) {
    this.clientNonce = opts.nonce ?? crypto.randomBytes(18).toString('base64');
    const authz = opts.authzid ? `a=${saslName(opts.authzid)}` : '';
    this.gs2Header = opts.binding ? `p=${opts.binding.type},${authz},` : `n,${authz},`;
    this.cbData = opts.binding ? (opts.binding.override ?? channelBindingData(opts.binding.type, opts.binding.socket)) : Buffer.alloc(0);
    this.clientFirstBare = `n=${saslName(opts.user)},r=${this.clientNonce}`;
  }

  clientFirst(): Buffer {
    return Buffer.from(this.gs2Header + this.clientFirstBare, 'utf8');
  }

  /** Answer the server-first message. Throws if the server's nonce does not extend ours. */
  clientFinal(serverFirst: Buffer): Buffer {
    const sf = serverFirst.toString('utf8');
    const attrs = parseAttrs(sf);
    const r = attrs.get('r');
    const s = attrs.get('s');
    const i = Number(attrs.get('i'));
    if (!r || !s || !Number.isInteger(i) || i < 1) throw new Error(`bad server-first: ${sf}`);
    if (!r.startsWith(this.clientNonce) || r.length <= this.clientNonce.length) {
      throw new Error('server nonce does not extend the client nonce');
    }
    const len = this.opts.hash === 'sha1' ? 20 : 32;
    const salted = crypto.pbkdf2Sync(this.opts.password.normalize('NFKC'), Buffer.from(s, 'base64'), i, len, this.opts.hash);
    const clientKey = hmac(this.opts.hash, salted, 'Client Key');
    const storedKey = crypto.createHash(this.opts.hash).update(clientKey).digest();
    const c = Buffer.concat([Buffer.from(this.gs2Header, 'utf8'), this.cbData]).toString('base64');
    const finalWithoutProof = `c=${c},r=${r}`;
    const authMessage = `${this.clientFirstBare},${sf},${finalWithoutProof}`;
    const clientSignature = hmac(this.opts.hash, storedKey, authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let k = 0; k < proof.length; k++) proof[k] = clientKey[k]! ^ clientSignature[k]!;
    const serverKey = hmac(this.opts.hash, salted, 'Server Key');
    this.serverSignature = hmac(this.opts.hash, serverKey, authMessage);
    return Buffer.from(`${finalWithoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  /** True when the server-final message carries the signature only the real server can compute. */
  verifyServerFinal(serverFinal: Buffer): boolean {
    const attrs = parseAttrs(serverFinal.toString('utf8'));
    const v = attrs.get('v');
    if (!v || !this.serverSignature) return false;
    const got = Buffer.from(v, 'base64');
    return got.length === this.serverSignature.length && crypto.timingSafeEqual(got, this.serverSignature);
  }
}

function hmac(hash: ScramHash, key: Buffer, data: string): Buffer {
  return crypto.createHmac(hash, key).update(data, 'utf8').digest();
}

function saslName(user: string): string {
  return user.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function parseAttrs(msg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of msg.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** The channel-binding data as a client computes it from its own view of the TLS session. */
export function channelBindingData(type: ChannelBinding, socket: tls.TLSSocket): Buffer {
  if (type === 'tls-exporter') {
    return socket.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
  }
  const cert = socket.getPeerX509Certificate();
  if (!cert) throw new Error('server sent no certificate');
  return crypto.createHash(endPointHash(cert.raw)).update(cert.raw).digest();
}

/**
 * RFC 5929 section 4.1: the certificate's signature hash, with MD5 and SHA-1 replaced by SHA-256.
 * Node 20 does not expose the signature algorithm, so read its OID from the DER.
 */
function endPointHash(der: Buffer): string {
  const oid = signatureAlgorithmOid(der);
  const byOid: Record<string, string> = {
    '1.2.840.113549.1.1.12': 'sha384',
    '1.2.840.113549.1.1.13': 'sha512',
    '1.2.840.10045.4.3.3': 'sha384',
    '1.2.840.10045.4.3.4': 'sha512',
  };
  return byOid[oid] ?? 'sha256';
}

function signatureAlgorithmOid(der: Buffer): string {
  // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE { OID, ... }, ... }
  let pos = 0;
  const readHeader = (): { tag: number; len: number; start: number } => {
    const tag = der[pos++]!;
    let len = der[pos++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + der[pos++]!;
    }
    return { tag, len, start: pos };
  };
  readHeader(); // outer SEQUENCE
  const tbs = readHeader();
  pos = tbs.start + tbs.len;
  readHeader(); // signatureAlgorithm SEQUENCE
  const oid = readHeader();
  const bytes = der.subarray(oid.start, oid.start + oid.len);
  const parts = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let v = 0;
  for (const b of bytes.subarray(1)) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}
