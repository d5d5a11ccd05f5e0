/**
 * The login name a simple bind names: an address as it is (alice@example.test, or a bare name the
 * listener's domain completes), or a DN whose first RDN is mail=ADDRESS or uid=NAME, the domain of
 * a uid coming from the DN's dc components (uid=alice,ou=people,dc=example,dc=test →
 * alice@example.test).
 */
import { domainOfDn, parseDn } from '../codec/index.js';

/** null when the name is a DN that names no account */
export function loginNameFromBindName(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed.includes('=')) return trimmed;
  const rdns = parseDn(trimmed);
  const first = rdns?.[0];
  if (!rdns || !first || first.length !== 1) return null;
  const { type, value } = first[0]!;
  if (value === '') return null;
  if (type === 'mail' || type === 'email') return value;
  if (type !== 'uid') return null;
  if (value.includes('@')) return value;
  const domain = domainOfDn(rdns.slice(1));
  return domain ? `${value}@${domain}` : value;
}
