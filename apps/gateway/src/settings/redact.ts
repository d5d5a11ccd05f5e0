import type { AccountSettings } from '@portcullis/auth-core';

/**
 * What `show` may print of account settings: whether a password is set and which tags exist,
 * never a password or a hash of one.
 */
export function redactAccountSettings(settings: AccountSettings | undefined): Record<string, unknown> | undefined {
  if (!settings) return undefined;
  const { password, tagPasswords, ...rest } = settings;
  return {
    ...rest,
    ...(password !== undefined ? { password: '(set)' } : {}),
    ...(tagPasswords !== undefined ? { tagPasswords: Object.keys(tagPasswords).sort() } : {}),
  };
}

/** Redact the defaultAccountSettings of a domain or the server (hand-edited files may hold passwords). */
export function redactDefaults<T extends { defaultAccountSettings?: AccountSettings }>(settings: T): Record<string, unknown> {
  const { defaultAccountSettings, ...rest } = settings;
  const redacted = redactAccountSettings(defaultAccountSettings);
  // a domain's Kerberos keys are secrets: `kerberos list` shows them without the key bytes
  const { kerberosKeys, ...shown } = rest as typeof rest & { kerberosKeys?: unknown };
  return {
    ...shown,
    ...(redacted ? { defaultAccountSettings: redacted } : {}),
    ...(Array.isArray(kerberosKeys) ? { kerberosKeys: `(${kerberosKeys.length} keys, see kerberos list)` } : {}),
  };
}
