import {
  BUILTIN_ACCOUNT_DEFAULTS,
  type AccountSettings,
  type DomainSettings,
  type ServerSettings,
} from '../settings.js';

export type EffectiveAccountSettings = AccountSettings & typeof BUILTIN_ACCOUNT_DEFAULTS;

/**
 * Keys that only the account itself may set. A password inherited from a default level would let
 * one value open every account in a domain, so defaults never supply one.
 */
const ACCOUNT_ONLY_KEYS = ['password', 'tagPasswords'] as const;

function withoutAccountOnly(settings: AccountSettings | undefined): AccountSettings {
  if (!settings) return {};
  const copy: AccountSettings = { ...settings };
  for (const key of ACCOUNT_ONLY_KEYS) delete copy[key];
  return copy;
}

function definedOnly(settings: AccountSettings): AccountSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as AccountSettings;
}

/**
 * The account's settings with the gaps filled: the account, then the domain's default account
 * settings, then the server's, then the built-in defaults.
 */
export function effectiveAccountSettings(
  account: AccountSettings,
  domain: DomainSettings | null | undefined,
  server: ServerSettings | null | undefined,
): EffectiveAccountSettings {
  return {
    ...BUILTIN_ACCOUNT_DEFAULTS,
    ...definedOnly(withoutAccountOnly(server?.defaultAccountSettings)),
    ...definedOnly(withoutAccountOnly(domain?.defaultAccountSettings)),
    ...definedOnly(account),
  };
}
