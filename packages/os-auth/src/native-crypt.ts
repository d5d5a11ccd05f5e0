/**
 * The libcrypt binding (src/native/crypt.c), loaded on first use so that a gateway built with
 * `tsc -b` alone (no native step) still starts: OS password checks then fail, with a clear
 * error, instead of the whole process.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { constantTimeEqual } from '@portcullis/auth-core';

interface CryptBinding {
  crypt(phrase: Buffer, setting: Buffer): Promise<string | null>;
  checkSalt(setting: string): 'ok' | 'legacy' | 'disabled' | 'invalid';
}

let binding: CryptBinding | undefined;

function load(): CryptBinding {
  if (!binding) {
    const require = createRequire(import.meta.url);
    // `../dist/native/` from both src/ (tests) and dist/ (the build); see scripts/build-native.mjs
    binding = require(fileURLToPath(new URL('../dist/native/os_auth_crypt.node', import.meta.url))) as CryptBinding;
  }
  return binding;
}

/** Is the binding built and loadable? */
export function nativeCryptAvailable(): boolean {
  try {
    load();
    return true;
  } catch {
    return false;
  }
}

/** crypt(3) of `password` with `setting` (a salt or a whole hash), or null when libcrypt refuses it. */
export async function crypt(password: string, setting: string): Promise<string | null> {
  return load().crypt(Buffer.from(password, 'utf8'), Buffer.from(setting, 'utf8'));
}

/** libcrypt's verdict on a hash's method: usable, usable but weak, switched off, or unknown. */
export function checkSalt(hash: string): 'ok' | 'legacy' | 'disabled' | 'invalid' {
  return load().checkSalt(hash);
}

/**
 * Does `password` hash to `hash`? Any format libcrypt knows: $y$, $gy$, $7$, $6$, $5$, $1$,
 * $2b$/$2y$/$2a$, DES. Unknown or disabled formats never match.
 */
export async function verifyCrypt(hash: string, password: string): Promise<boolean> {
  if (hash.length === 0 || password.length === 0) return false;
  const verdict = checkSalt(hash);
  if (verdict !== 'ok' && verdict !== 'legacy') return false;
  const computed = await crypt(password, hash);
  return computed !== null && constantTimeEqual(computed, hash);
}
