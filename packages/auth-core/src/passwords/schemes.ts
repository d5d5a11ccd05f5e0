/**
 * Password storage schemes. A stored password is `{scheme}data`; each scheme knows how to make
 * `data` from a plain password and how to check a plain password against it. A later issue adds
 * more (the migration prefixes of U-crpt, stronger hashes) by adding an entry here.
 */
import { randomInt } from 'node:crypto';
import bcrypt from 'bcryptjs';
import unixCrypt from 'unix-crypt-td-js';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { constantTimeEqual } from './constant-time.js';
import { verifyImportedHash } from './imported-hashes.js';

export interface PasswordScheme {
  /** the name in the `{...}` prefix, as the `passwordEncryption` setting spells it */
  readonly name: string;
  /** the stored form cannot give back the password (no shared-secret mechanisms) */
  readonly oneWay: boolean;
  encode(plain: string): Promise<string>;
  verify(data: string, plain: string): Promise<boolean>;
}

const CRYPT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DES_CRYPT_RE = /^[./0-9A-Za-z]{13}$/;
const BCRYPT_RE = /^\$2[aby]\$\d\d\$[./0-9A-Za-z]{53}$/;

/** bcrypt work factor for new UB-crpt passwords (2^10 rounds: ~50-100 ms in bcryptjs). */
export const BCRYPT_COST = 10;

/**
 * crypt(3) works on bytes; the library reads one char code per byte, so UTF-8 bytes are handed to
 * it as a latin1 string to get what C crypt would compute for the same UTF-8 password.
 */
function desCrypt(plain: string, salt: string): string {
  return unixCrypt(Buffer.from(plain, 'utf8').toString('latin1'), salt);
}

const clear: PasswordScheme = {
  name: 'clear',
  oneWay: false,
  encode: async (plain) => plain,
  verify: async (data, plain) => constantTimeEqual(data, plain),
};

const unixDesCrypt: PasswordScheme = {
  name: 'U-crpt',
  oneWay: true,
  encode: async (plain) => {
    const salt = CRYPT_ALPHABET[randomInt(64)]! + CRYPT_ALPHABET[randomInt(64)]!;
    return desCrypt(plain, salt);
  },
  verify: async (data, plain) => {
    // imported hashes keep the prefix they came with ($6$..., {SSHA}...): see imported-hashes.ts
    if (!DES_CRYPT_RE.test(data)) return verifyImportedHash(data, plain);
    return constantTimeEqual(desCrypt(plain, data.slice(0, 2)), data);
  },
};

const blowfishCrypt: PasswordScheme = {
  name: 'UB-crpt',
  oneWay: true,
  encode: (plain) => bcrypt.hash(plain, BCRYPT_COST),
  verify: async (data, plain) => {
    if (!BCRYPT_RE.test(data)) return false;
    return bcrypt.compare(plain, data);
  },
};

const ARGON2ID_RE = /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/**
 * A-crpt (ours, beyond the spec): argon2id in its PHC string form, with @node-rs/argon2's
 * defaults (m=19456 KiB, t=2, p=1: OWASP's first recommended setting). Hashing runs off the
 * event loop in the library's own threads.
 */
const argon2idCrypt: PasswordScheme = {
  name: 'A-crpt',
  oneWay: true,
  encode: (plain) => argon2Hash(plain),
  verify: async (data, plain) => {
    if (!ARGON2ID_RE.test(data)) return false;
    return argon2Verify(data, plain).catch(() => false);
  },
};

const SCHEMES = new Map<string, PasswordScheme>(
  [clear, unixDesCrypt, blowfishCrypt, argon2idCrypt].map((s) => [s.name.toLowerCase(), s]),
);

/** The scheme for a `passwordEncryption` value or a stored prefix (case-insensitive). */
export function schemeNamed(name: string): PasswordScheme | undefined {
  return SCHEMES.get(name.toLowerCase());
}
