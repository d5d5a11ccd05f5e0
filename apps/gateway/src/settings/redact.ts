import type { AccountSettings, UpstreamSettings } from '@portcullis/auth-core';

/** upstream settings with every masterPassword replaced by '(set)' */
export function redactUpstream(upstream: UpstreamSettings | undefined): Record<string, unknown> | undefined {
  if (!upstream || typeof upstream !== 'object') return undefined;
  return Object.fromEntries(
    Object.entries(upstream).map(([service, settings]) => {
      if (!settings || typeof settings !== 'object') return [service, settings];
      const { masterPassword, ...rest } = settings as { masterPassword?: unknown };
      return [service, { ...rest, ...(masterPassword !== undefined ? { masterPassword: '(set)' } : {}) }];
    }),
  );
}

/**
 * What `show` may print of account settings: whether a password is set and which tags exist,
 * never a password or a hash of one.
 */
export function redactAccountSettings(settings: AccountSettings | undefined): Record<string, unknown> | undefined {
  if (!settings) return undefined;
  const { password, tagPasswords, upstream, ...rest } = settings;
  const shownUpstream = redactUpstream(upstream);
  return {
    ...rest,
    ...(shownUpstream ? { upstream: shownUpstream } : {}),
    ...(password !== undefined ? { password: '(set)' } : {}),
    ...(tagPasswords !== undefined ? { tagPasswords: Object.keys(tagPasswords).sort() } : {}),
  };
}

/** Redact the defaultAccountSettings of a domain or the server (hand-edited files may hold passwords). */
export function redactDefaults<T extends { defaultAccountSettings?: AccountSettings }>(settings: T): Record<string, unknown> {
  const { defaultAccountSettings, ...rest } = settings;
  const redacted = redactAccountSettings(defaultAccountSettings);
  // a domain's Kerberos keys are secrets: `kerberos list` shows them without the key bytes
  const { kerberosKeys, upstream, ...shown } = rest as typeof rest & { kerberosKeys?: unknown; upstream?: UpstreamSettings };
  const shownUpstream = redactUpstream(upstream);
  return {
    ...shown,
    ...(shownUpstream ? { upstream: shownUpstream } : {}),
    ...(redacted ? { defaultAccountSettings: redacted } : {}),
    ...(Array.isArray(kerberosKeys) ? { kerberosKeys: `(${kerberosKeys.length} keys, see kerberos list)` } : {}),
  };
}
