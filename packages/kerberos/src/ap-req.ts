/**
 * The service principal a Kerberos GSS initial token asks for, read before any key is used: the
 * ticket's realm and sname are in clear text (RFC 4120 5.3), and they pick the domain whose keys
 * then check it. A minimal DER reader for exactly this path; the real parsing and all checking is
 * MIT's, afterwards, and the context's target name is compared with this.
 */
import type { Principal } from './principal.js';

export interface Tlv {
  tag: number;
  start: number;
  end: number;
}

export function readTlv(buf: Buffer, pos: number, limit: number): Tlv | null {
  if (pos + 2 > limit) return null;
  const tag = buf[pos]!;
  let len = buf[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  if (start + len > limit) return null;
  return { tag, start, end: start + len };
}

/** The children of a constructed value, in order. */
export function children(buf: Buffer, parent: Tlv): Tlv[] | null {
  const out: Tlv[] = [];
  let pos = parent.start;
  while (pos < parent.end) {
    const t = readTlv(buf, pos, parent.end);
    if (!t) return null;
    out.push(t);
    pos = t.end;
  }
  return out;
}

/** The single value inside an explicit context tag [n]. */
function explicit(buf: Buffer, items: Tlv[], n: number): Tlv | null {
  const wrapper = items.find((t) => t.tag === (0xa0 | n));
  return wrapper ? readTlv(buf, wrapper.start, wrapper.end) : null;
}

const KRB5_OID = Buffer.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]);
const TOK_AP_REQ = 0x0100;

/** The ticket's service principal in a Kerberos GSS initial context token, or null. */
export function ticketServicePrincipal(token: Buffer): Principal | null {
  const outer = readTlv(token, 0, token.length);
  if (!outer || outer.tag !== 0x60) return null;
  if (!token.subarray(outer.start, outer.start + KRB5_OID.length).equals(KRB5_OID)) return null;
  let pos = outer.start + KRB5_OID.length;
  if (pos + 2 > outer.end || token.readUInt16BE(pos) !== TOK_AP_REQ) return null;
  pos += 2;
  const apReq = readTlv(token, pos, outer.end); // [APPLICATION 14]
  if (!apReq || apReq.tag !== 0x6e) return null;
  const apSeq = readTlv(token, apReq.start, apReq.end);
  if (!apSeq || apSeq.tag !== 0x30) return null;
  const apItems = children(token, apSeq);
  const ticketApp = apItems && explicit(token, apItems, 3); // [APPLICATION 1]
  if (!ticketApp || ticketApp.tag !== 0x61) return null;
  const ticketSeq = readTlv(token, ticketApp.start, ticketApp.end);
  if (!ticketSeq || ticketSeq.tag !== 0x30) return null;
  const tItems = children(token, ticketSeq);
  if (!tItems) return null;
  const realm = explicit(token, tItems, 1);
  const sname = explicit(token, tItems, 2);
  if (!realm || realm.tag !== 0x1b || !sname || sname.tag !== 0x30) return null;
  const snameItems = children(token, sname);
  const strings = snameItems && explicit(token, snameItems, 1);
  if (!strings || strings.tag !== 0x30) return null;
  const parts = children(token, strings);
  if (!parts || parts.length === 0 || parts.some((p) => p.tag !== 0x1b)) return null;
  return {
    realm: token.toString('utf8', realm.start, realm.end),
    components: parts.map((p) => token.toString('utf8', p.start, p.end)),
  };
}
