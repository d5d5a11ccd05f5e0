/**
 * Channel-binding data for the SCRAM -PLUS mechanisms: tls-exporter (RFC 9266, TLS 1.3 only) and
 * tls-server-end-point (RFC 5929). Node's X509Certificate does not expose the signature
 * algorithm, so the certificate's outer signatureAlgorithm OID is read from the DER here.
 */
import { createHash } from 'node:crypto';
import type { TlsChannel } from '../connection.js';

export type ChannelBindingType = 'tls-exporter' | 'tls-server-end-point';
export const CHANNEL_BINDING_TYPES: readonly ChannelBindingType[] = ['tls-exporter', 'tls-server-end-point'];

/** RFC 9266: 32 bytes of keying material, this label, no context. */
export const TLS_EXPORTER_LABEL = 'EXPORTER-Channel-Binding';

interface Tlv {
  tag: number;
  /** offset of the value */
  start: number;
  /** offset just past the value */
  end: number;
}

/** One DER TLV at `offset`, or null when it does not fit inside `limit`. */
function readTlv(der: Buffer, offset: number, limit: number): Tlv | null {
  if (offset + 2 > limit) return null;
  const tag = der[offset] as number;
  let len = der[offset + 1] as number;
  let pos = offset + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 4 || pos + count > limit) return null;
    len = 0;
    for (let k = 0; k < count; k++) len = len * 256 + (der[pos + k] as number);
    pos += count;
  }
  if (pos + len > limit) return null;
  return { tag, start: pos, end: pos + len };
}

function decodeOid(bytes: Buffer): string {
  if (bytes.length === 0) return '';
  const first = bytes[0] as number;
  const arcs = [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40];
  let value = 0;
  for (let k = 1; k < bytes.length; k++) {
    const b = bytes[k] as number;
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** AlgorithmIdentifier at `tlv`: its OID and the TLV of its parameters, if any. */
function readAlgorithm(der: Buffer, tlv: Tlv): { oid: string; params: Tlv | null } | null {
  if (tlv.tag !== 0x30) return null;
  const oidTlv = readTlv(der, tlv.start, tlv.end);
  if (!oidTlv || oidTlv.tag !== 0x06) return null;
  const params = oidTlv.end < tlv.end ? readTlv(der, oidTlv.end, tlv.end) : null;
  return { oid: decodeOid(der.subarray(oidTlv.start, oidTlv.end)), params };
}

/** The certificate's signatureAlgorithm OID (and parameters), read from the outer SEQUENCE. */
export function certificateSignatureAlgorithm(der: Buffer): { oid: string; params: Tlv | null } | null {
  const cert = readTlv(der, 0, der.length);
  if (!cert || cert.tag !== 0x30) return null;
  const tbs = readTlv(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== 0x30) return null;
  const alg = readTlv(der, tbs.end, cert.end);
  return alg ? readAlgorithm(der, alg) : null;
}

/** Signature algorithm OID -> the hash it uses. */
const SIGNATURE_HASHES: Record<string, string> = {
  '1.2.840.113549.1.1.4': 'md5', // md5WithRSAEncryption
  '1.2.840.113549.1.1.5': 'sha1', // sha1WithRSAEncryption
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', // ecdsa-with-SHA1
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.10040.4.3': 'sha1', // dsa-with-sha1
  '2.16.840.1.101.3.4.3.1': 'sha224', // dsa-with-sha224
  '2.16.840.1.101.3.4.3.2': 'sha256', // dsa-with-sha256
};

/** Digest algorithm OID -> hash name (inside RSASSA-PSS parameters). */
const DIGEST_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

const RSASSA_PSS = '1.2.840.113549.1.1.10';

/** RSASSA-PSS-params: hashAlgorithm is [0], SHA-1 when absent (RFC 4055). */
function pssHash(der: Buffer, params: Tlv | null): string | null {
  if (!params || params.tag !== 0x30) return 'sha1';
  const first = params.start < params.end ? readTlv(der, params.start, params.end) : null;
  if (!first || first.tag !== 0xa0) return 'sha1';
  const algTlv = readTlv(der, first.start, first.end);
  const alg = algTlv ? readAlgorithm(der, algTlv) : null;
  return alg ? (DIGEST_OIDS[alg.oid] ?? null) : null;
}

/**
 * RFC 5929 4.1: the hash of the certificate's signature, SHA-256 when that is MD5 or SHA-1. Null
 * when the algorithm has no single hash (Ed25519, Ed448) or the DER cannot be read.
 */
export function serverEndPointHash(der: Buffer): string | null {
  const alg = certificateSignatureAlgorithm(der);
  if (!alg) return null;
  const hash = alg.oid === RSASSA_PSS ? pssHash(der, alg.params) : SIGNATURE_HASHES[alg.oid];
  if (!hash) return null;
  return hash === 'md5' || hash === 'sha1' ? 'sha256' : hash;
}

/** The channel-binding data of `type` on this link, or null when this link cannot provide it. */
export function channelBindingData(tls: TlsChannel | undefined, type: string): Buffer | null {
  if (!tls) return null;
  try {
    if (type === 'tls-exporter') {
      if (tls.protocol !== 'TLSv1.3') return null;
      return tls.exportKeyingMaterial(32, TLS_EXPORTER_LABEL);
    }
    if (type === 'tls-server-end-point') {
      const der = tls.serverCertificateDer();
      const hash = der ? serverEndPointHash(der) : null;
      return der && hash ? createHash(hash).update(der).digest() : null;
    }
  } catch {
    // a closed socket or an exporter the TLS stack refuses: no binding, not a crash
    return null;
  }
  return null;
}

/** The binding types this link can provide; non-empty means the -PLUS mechanisms are offered. */
export function availableChannelBindings(tls: TlsChannel | undefined): ChannelBindingType[] {
  return CHANNEL_BINDING_TYPES.filter((t) => channelBindingData(tls, t) !== null);
}
