/**
 * Stored password strings: `{clear}secret`, `{U-crpt}<DES crypt or an imported hash>`,
 * `{UB-crpt}<bcrypt>`, `{A-crpt}<argon2id PHC string>`.
 *
 * A string without a `{scheme}` prefix is read as clear text, so a hand-edited settings file with
 * `password: secret` works; a string with an unknown prefix never matches anything.
 */
import type { PasswordEncryption } from '../settings.js';
import { schemeNamed, type PasswordScheme } from './schemes.js';

export interface ParsedStoredPassword {
  /** undefined for an unknown `{prefix}` */
  scheme: PasswordScheme | undefined;
  schemeName: string;
  data: string;
}

const PREFIX_RE = /^\{([A-Za-z0-9_.-]+)\}/;

export function parseStoredPassword(stored: string): ParsedStoredPassword {
  const m = PREFIX_RE.exec(stored);
  if (!m) return { scheme: schemeNamed('clear'), schemeName: 'clear', data: stored };
  const name = m[1]!;
  return { scheme: schemeNamed(name), schemeName: name, data: stored.slice(m[0].length) };
}

/** Store `plain` as `encryption` says, with its prefix. */
export async function encodePassword(plain: string, encryption: PasswordEncryption): Promise<string> {
  const scheme = schemeNamed(encryption);
  if (!scheme) throw new Error(`unknown password encryption: ${String(encryption)}`);
  return `{${scheme.name}}${await scheme.encode(plain)}`;
}

/**
 * Does `plain` match `stored`? An absent or empty stored password, or an empty plain one, never
 * matches: an account without a password cannot be logged into with it.
 */
export async function verifyStoredPassword(stored: string | undefined | null, plain: string): Promise<boolean> {
  if (!stored || plain.length === 0) return false;
  const { scheme, data } = parseStoredPassword(stored);
  if (!scheme || data.length === 0) return false;
  return scheme.verify(data, plain);
}

/** The cleartext secret for shared-secret mechanisms, or null (one-way, unknown, empty or absent). */
export function clearSecretOf(stored: string | undefined | null): string | null {
  if (!stored) return null;
  const { scheme, data } = parseStoredPassword(stored);
  if (!scheme || scheme.oneWay || data.length === 0) return null;
  return data;
}

/** The stored password can be checked but not read back. */
export function isOneWay(stored: string): boolean {
  const { scheme } = parseStoredPassword(stored);
  return scheme ? scheme.oneWay : true;
}

// Precomputed once so an unknown account costs one bcrypt comparison, like a real UB-crpt account.
const DUMMY_BCRYPT = '$2b$10$332mgUgszzjF41XQy15SzuGstRZb7bAuci4N5u3fHAC/E0cT2pt6O';
const DUMMY_DES = 'abJnggxhB/yWI';
const DUMMY_ARGON2ID = '$argon2id$v=19$m=19456,t=2,p=1$YbKQJ5QCmOxo/7pwIoTUUg$SCqT2nyQoUY/7kSIfPfoPQ3Ynq8L7psAuojxk6N9Deo';

/**
 * Spend about what checking a password stored as `encryption` would, and answer no. Used for
 * unknown accounts so that their failure takes as long as a wrong password.
 */
export async function dummyVerify(encryption: PasswordEncryption, plain: string): Promise<false> {
  const scheme = schemeNamed(encryption) ?? schemeNamed('clear')!;
  const data =
    scheme.name === 'UB-crpt' ? DUMMY_BCRYPT : scheme.name === 'U-crpt' ? DUMMY_DES : scheme.name === 'A-crpt' ? DUMMY_ARGON2ID : 'x'.repeat(16);
  await scheme.verify(data, plain);
  return false;
}
