/**
 * Which keys each settings level takes from the CLI, and their value types. Key names are those
 * of DESIGN.md and auth-core's settings.ts.
 */
import { LOGIN_METHODS } from '@portcullis/auth-core';
import { LOG_LEVELS, SERVICES } from '../config/schema.js';
import {
  bool,
  cidr,
  domainName,
  int,
  ldapUri,
  list,
  map,
  oneOf,
  password,
  pemCertificates,
  text,
  type ValueParser,
} from './value-parsers.js';
import { UPSTREAM_KEYS } from './upstream-keys.js';

export type SettingsLevel = 'account' | 'domain' | 'server';

export interface KeySpec {
  parse: ValueParser;
  /**
   * the value holds passwords: never echo it, and encode before storing; 'credential' is kept as
   * typed (the gateway sends it to an upstream) and only hidden
   */
  secret?: 'password' | 'password-map' | 'credential';
}

export const PASSWORD_ENCRYPTIONS = ['clear', 'U-crpt', 'UB-crpt', 'A-crpt'] as const;

/** Account keys that a default level may also set (not the passwords themselves). */
const INHERITABLE_ACCOUNT_KEYS: Record<string, KeySpec> = {
  passwordEncryption: { parse: oneOf(PASSWORD_ENCRYPTIONS, { caseInsensitive: true }) },
  useCGPassword: { parse: bool },
  useOSPassword: { parse: bool },
  osUserName: { parse: text },
  authenticationURI: { parse: ldapUri },
  useExtPassword: { parse: bool },
  secureMethodRequired: { parse: bool },
  failedLoginLimit: { parse: int(0) },
  failedLoginPeriod: { parse: int(1) },
  allowKerberos: { parse: bool },
  allowCertificate: { parse: bool },
  allowNTLMv1: { parse: bool },
  enabledServices: { parse: list(oneOf(SERVICES, { caseInsensitive: true })) },
};

function prefixed(prefix: string, keys: Record<string, KeySpec>): Record<string, KeySpec> {
  return Object.fromEntries(Object.entries(keys).map(([k, v]) => [`${prefix}.${k}`, v]));
}

export const SETTING_KEYS: Record<SettingsLevel, Record<string, KeySpec>> = {
  account: {
    password: { parse: password, secret: 'password' },
    tagPasswords: { parse: map(password), secret: 'password-map' },
    ...INHERITABLE_ACCOUNT_KEYS,
    ...UPSTREAM_KEYS,
  },
  domain: {
    aliases: { parse: list(domainName) },
    loginMethods: { parse: list(oneOf(LOGIN_METHODS, { caseInsensitive: true })) },
    trustedCA: { parse: pemCertificates },
    ...prefixed('defaultAccountSettings', INHERITABLE_ACCOUNT_KEYS),
    ...UPSTREAM_KEYS,
  },
  server: {
    clientAddresses: { parse: list(cidr) },
    loginsFromNonClients: { parse: oneOf(['allow', 'prohibit'] as const, { caseInsensitive: true }) },
    hideUnknownAccount: { parse: bool },
    webUserSessionTTL: { parse: int(1) },
    'externalAuth.program': { parse: text },
    'externalAuth.args': { parse: list(text) },
    'externalAuth.timeout': { parse: int(1) },
    'externalAuth.autoRestart': { parse: bool },
    'externalAuth.logLevel': { parse: oneOf(LOG_LEVELS) },
    ...prefixed('defaultAccountSettings', INHERITABLE_ACCOUNT_KEYS),
  },
};
