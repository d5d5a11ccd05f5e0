import {
  BUILTIN_ACCOUNT_DEFAULTS,
  encodePassword,
  type AccountSettings,
  type DomainSettings,
  type PasswordEncryption,
  type ServerSettings,
} from '@portcullis/auth-core';
import type { Assignment } from '../settings/assignments.js';

/** The account's own value, then the domain's default, then the server's, then the built-in. */
export function effectiveEncryption(
  settings: AccountSettings,
  domain: DomainSettings,
  server: ServerSettings,
): PasswordEncryption {
  return (
    settings.passwordEncryption ??
    domain.defaultAccountSettings?.passwordEncryption ??
    server.defaultAccountSettings?.passwordEncryption ??
    BUILTIN_ACCOUNT_DEFAULTS.passwordEncryption
  );
}

/**
 * Replace the typed passwords in secret assignments by their stored form. Runs after the other
 * assignments were applied, so a passwordEncryption given in the same command is the one used.
 */
export async function encodeSecretAssignments(
  assignments: readonly Assignment[],
  encryption: PasswordEncryption,
): Promise<Assignment[]> {
  return Promise.all(
    assignments.map(async (a) => {
      // a credential (an upstream's master password) must stay usable: it is not hashed
      if (a.value === undefined || !a.spec.secret || a.spec.secret === 'credential') return a;
      if (a.spec.secret === 'password') return { ...a, value: await encodePassword(a.value as string, encryption) };
      const entries = await Promise.all(
        Object.entries(a.value as Record<string, string>).map(async ([tag, pw]) => [tag, await encodePassword(pw, encryption)] as const),
      );
      return { ...a, value: Object.fromEntries(entries) };
    }),
  );
}
