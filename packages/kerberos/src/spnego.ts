/**
 * SPNEGO (RFC 4178) initial tokens, as HTTP Negotiate clients send them: the Kerberos token
 * inside is found only to learn which service (so which domain's keys) the client asks for;
 * MIT's SPNEGO mechanism then accepts the whole token itself.
 */
import { children, readTlv, ticketServicePrincipal } from './ap-req.js';
import type { Principal } from './principal.js';

/** 1.3.6.1.5.5.2 */
const SPNEGO_OID = Buffer.from([0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02]);

/** The mechToken of a SPNEGO NegTokenInit, or null when `token` is not one (or carries none). */
export function spnegoMechToken(token: Buffer): Buffer | null {
  const outer = readTlv(token, 0, token.length);
  if (!outer || outer.tag !== 0x60) return null;
  if (!token.subarray(outer.start, outer.start + SPNEGO_OID.length).equals(SPNEGO_OID)) return null;
  const choice = readTlv(token, outer.start + SPNEGO_OID.length, outer.end); // [0] negTokenInit
  if (!choice || choice.tag !== 0xa0) return null;
  const init = readTlv(token, choice.start, choice.end);
  if (!init || init.tag !== 0x30) return null;
  const items = children(token, init);
  const wrapper = items?.find((t) => t.tag === 0xa2); // [2] mechToken
  if (!wrapper) return null;
  const octets = readTlv(token, wrapper.start, wrapper.end);
  if (!octets || octets.tag !== 0x04) return null;
  return token.subarray(octets.start, octets.end);
}

/**
 * The service principal an HTTP Negotiate token asks for: a SPNEGO token with an optimistic
 * Kerberos token, or a bare Kerberos token (clients may send either).
 */
export function negotiateServicePrincipal(token: Buffer): Principal | null {
  const inner = spnegoMechToken(token);
  return ticketServicePrincipal(inner ?? token);
}
