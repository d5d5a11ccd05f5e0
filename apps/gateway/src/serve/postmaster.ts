import { randomInt } from 'node:crypto';
import { encodePassword, type DirectoryStore } from '@portcullis/auth-core';
import { DirectoryError } from '@portcullis/directory';
import { effectiveEncryption } from '../commands/passwords.js';

// no look-alikes (0/O, 1/l/I), so the password can be read off a terminal and typed
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generatePassword(length = 16): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/**
 * Create postmaster@mainDomain when it is missing. Returns the generated cleartext password to be
 * shown once, or null when the account already existed.
 */
export async function ensurePostmaster(store: DirectoryStore, mainDomain: string): Promise<string | null> {
  if (await store.getAccount(mainDomain, 'postmaster')) return null;
  const [domain, server] = await Promise.all([store.getDomain(mainDomain), store.getServerSettings()]);
  const plain = generatePassword();
  const encryption = effectiveEncryption({}, domain ?? { name: mainDomain }, server);
  try {
    await store.createAccount({
      name: 'postmaster',
      domain: mainDomain,
      settings: { password: await encodePassword(plain, encryption) },
    });
  } catch (err) {
    if (err instanceof DirectoryError && err.code === 'exists') return null;
    throw err;
  }
  return plain;
}
