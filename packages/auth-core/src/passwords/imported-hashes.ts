/**
 * Hashes imported from other systems, stored under U-crpt with the prefix they came with
 * (`{U-crpt}$6$...`, `{U-crpt}{SSHA}...`): crypt(3) formats, as /etc/shadow and Apache write them,
 * and the LDAP `{SCHEME}` forms (RFC 2307 / OpenLDAP slappasswd). All in JavaScript here; a format
 * only libcrypt knows ($y$ yescrypt, $gy$, $7$) is checked by a verifier the host registers
 * (the gateway registers @portcullis/os-auth's libcrypt binding).
 */
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { verify as argon2Verify } from '@node-rs/argon2';
import md5Crypt from 'apache-md5';
import { encrypt as shaCrypt } from 'unixcrypt';
import { constantTimeEqual } from './constant-time.js';

/** crypt(3) works on bytes: UTF-8 bytes as a latin1 string give what C crypt computes */
const asBytes = (plain: string): string => Buffer.from(plain, 'utf8').toString('latin1');

export type CryptVerifier = (hash: string, plain: string) => Promise<boolean>;

let externalCryptVerifier: CryptVerifier | undefined;

/**
 * Let crypt(3) formats this module does not implement be checked by the host's libcrypt (the
 * gateway passes os-auth's `verifyCrypt`). Without one, such hashes never match.
 */
export function registerCryptVerifier(verifier: CryptVerifier | undefined): void {
  externalCryptVerifier = verifier;
}

const MD5_CRYPT_RE = /^\$(1|apr1)\$[^$]{0,8}\$[./0-9A-Za-z]{22}$/;
const SHA_CRYPT_RE = /^\$[56]\$(rounds=\d{1,9}\$)?[^$]{0,16}\$[./0-9A-Za-z]{43,86}$/;
const BCRYPT_RE = /^\$2[aby]\$\d\d\$[./0-9A-Za-z]{53}$/;
const ARGON2_RE = /^\$argon2(id|i|d)\$/;
const OTHER_CRYPT_RE = /^\$[0-9a-z]{1,4}\$[^\s:]+$/;

/** `{SCHEME}base64`: digest algorithm and whether a salt follows the digest */
const LDAP_SCHEMES: Record<string, { algorithm: string; salted: boolean }> = {
  SHA: { algorithm: 'sha1', salted: false },
  SSHA: { algorithm: 'sha1', salted: true },
  SHA256: { algorithm: 'sha256', salted: false },
  SSHA256: { algorithm: 'sha256', salted: true },
  SHA512: { algorithm: 'sha512', salted: false },
  SSHA512: { algorithm: 'sha512', salted: true },
  MD5: { algorithm: 'md5', salted: false },
  SMD5: { algorithm: 'md5', salted: true },
};
const DIGEST_LENGTH: Record<string, number> = { sha1: 20, sha256: 32, sha512: 64, md5: 16 };
const LDAP_RE = /^\{([A-Za-z0-9]+)\}([A-Za-z0-9+/]+={0,2})$/;

function verifyLdapScheme(stored: string, plain: string): boolean | undefined {
  const m = LDAP_RE.exec(stored);
  if (!m) return undefined;
  const scheme = LDAP_SCHEMES[m[1]!.toUpperCase()];
  if (!scheme) return false;
  const raw = Buffer.from(m[2]!, 'base64');
  const length = DIGEST_LENGTH[scheme.algorithm]!;
  if (scheme.salted ? raw.length <= length : raw.length !== length) return false;
  const digest = raw.subarray(0, length);
  const salt = raw.subarray(length);
  const computed = createHash(scheme.algorithm).update(Buffer.from(plain, 'utf8')).update(salt).digest();
  return constantTimeEqual(computed, digest);
}

/** Is `stored` an imported hash this module recognises (whether or not it can check it)? */
export function isImportedHash(stored: string): boolean {
  return stored.startsWith('$') ? OTHER_CRYPT_RE.test(stored) || ARGON2_RE.test(stored) : LDAP_RE.test(stored);
}

/** Does `plain` match the imported hash `stored`? Unknown forms never match. */
export async function verifyImportedHash(stored: string, plain: string): Promise<boolean> {
  if (plain.length === 0) return false;
  const ldap = verifyLdapScheme(stored, plain);
  if (ldap !== undefined) return ldap;
  if (MD5_CRYPT_RE.test(stored)) return constantTimeEqual(md5Crypt(asBytes(plain), stored), stored);
  // unixcrypt hashes the UTF-8 bytes itself; its verify() throws on a length mismatch, so compare here
  if (SHA_CRYPT_RE.test(stored)) return constantTimeEqual(shaCrypt(plain, stored.slice(0, stored.lastIndexOf('$'))), stored);
  if (BCRYPT_RE.test(stored)) return bcrypt.compare(plain, stored);
  if (ARGON2_RE.test(stored)) return argon2Verify(stored, plain).catch(() => false);
  if (OTHER_CRYPT_RE.test(stored) && externalCryptVerifier) return externalCryptVerifier(stored, plain);
  return false;
}
