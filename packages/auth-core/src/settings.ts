/**
 * Setting shapes shared by every package. Keys are spelled as the CLI and the files spell them
 * (see DESIGN.md); a later issue adds keys, never renames them.
 */

/** Services a listener can run; `enabledServices` names these. */
export type ServiceName = 'imap' | 'pop' | 'smtp' | 'ldap' | 'ftp' | 'xmpp' | 'pwd' | 'http';

/** Domain Login Methods: what is advertised, never what is allowed. */
export type LoginMethod =
  | 'CLRTXT'
  | 'CRAM-MD5'
  | 'DIGEST-MD5'
  | 'APOP'
  | 'GSSAPI'
  | 'NTLM'
  | 'MSN'
  | 'SESSIONID'
  | 'SCRAM';

export const LOGIN_METHODS: readonly LoginMethod[] = [
  'CLRTXT', 'CRAM-MD5', 'DIGEST-MD5', 'APOP', 'GSSAPI', 'NTLM', 'MSN', 'SESSIONID', 'SCRAM',
];

/** `passwordEncryption`: how a newly set password is stored (A-crpt: argon2id, beyond the spec). */
export type PasswordEncryption = 'clear' | 'U-crpt' | 'UB-crpt' | 'A-crpt';

/**
 * Account settings. Every key is optional in storage: the effective value comes from the account,
 * then the domain's default account settings, then the server's, then the built-in default.
 */
export interface AccountSettings {
  /** Stored password with its scheme prefix: `{clear}pw`, `{U-crpt}hash`, `{UB-crpt}hash`. */
  password?: string;
  passwordEncryption?: PasswordEncryption;
  /** tag -> stored password (same encoding as `password`). */
  tagPasswords?: Record<string, string>;
  useCGPassword?: boolean;
  useOSPassword?: boolean;
  osUserName?: string;
  authenticationURI?: string;
  useExtPassword?: boolean;
  secureMethodRequired?: boolean;
  failedLoginLimit?: number;
  /** seconds */
  failedLoginPeriod?: number;
  allowKerberos?: boolean;
  allowCertificate?: boolean;
  /** NTLM/MSN also accept NTLMv1 and NTLM2-session responses (weak: off unless set) */
  allowNTLMv1?: boolean;
  /** services this account may log into; absent means all */
  enabledServices?: ServiceName[];
  /** where this account's sessions continue after login; merged key by key over the domain's */
  upstream?: UpstreamSettings;
}

/**
 * One service's upstream server (issue 9): after the gateway's login the session is relayed there.
 * No host: the built-in session.
 */
export interface UpstreamServiceSettings {
  /** tried in order; an entry may carry its own port as host:port ([v6]:port) */
  host?: string[];
  port?: number;
  tls?: 'none' | 'starttls' | 'implicit';
  /** PEM certificates the upstream's certificate is verified with (system CAs when absent) */
  ca?: string;
  login?: 'master' | 'xclient' | 'proxy' | 'passthrough';
  authMechanism?: 'PLAIN' | 'LOGIN';
  masterUser?: string;
  /** kept as typed (the gateway must send it), never shown by show or export */
  masterPassword?: string;
}

export interface UpstreamSettings {
  imap?: UpstreamServiceSettings;
  pop?: UpstreamServiceSettings;
  smtp?: UpstreamServiceSettings;
}

export interface DomainSettings {
  /** canonical (lower-case) domain name */
  name: string;
  aliases?: string[];
  loginMethods?: LoginMethod[];
  trustedCA?: string;
  /** Domain-wide default account settings. */
  defaultAccountSettings?: AccountSettings;
  /** upstream servers of the domain's accounts; an account's own `upstream` keys override these */
  upstream?: UpstreamSettings;
}

export interface ServerSettings {
  clientAddresses?: string[];
  loginsFromNonClients?: 'allow' | 'prohibit';
  hideUnknownAccount?: boolean;
  /** WebUser session lifetime in seconds from login (default 1800); SESSIONID logins honour it too */
  webUserSessionTTL?: number;
  /** Server-wide default account settings. */
  defaultAccountSettings?: AccountSettings;
  externalAuth?: {
    program?: string;
    args?: string[];
    timeout?: number;
    autoRestart?: boolean;
    logLevel?: string;
  };
}

export interface AccountRecord {
  /** local part, lower-case */
  name: string;
  /** canonical domain name */
  domain: string;
  settings: AccountSettings;
}

/** Built-in defaults, the last level of the lookup chain. */
export const BUILTIN_ACCOUNT_DEFAULTS: Required<
  Pick<
    AccountSettings,
    | 'passwordEncryption'
    | 'useCGPassword'
    | 'useOSPassword'
    | 'osUserName'
    | 'useExtPassword'
    | 'secureMethodRequired'
    | 'failedLoginLimit'
    | 'failedLoginPeriod'
    | 'allowKerberos'
    | 'allowCertificate'
  >
> = {
  passwordEncryption: 'clear',
  useCGPassword: true,
  useOSPassword: false,
  osUserName: '*',
  useExtPassword: false,
  secureMethodRequired: false,
  failedLoginLimit: 0, // 0: no lockout
  failedLoginPeriod: 300,
  allowKerberos: true,
  allowCertificate: true,
};

export const DEFAULT_LOGIN_METHODS: LoginMethod[] = ['CLRTXT', 'CRAM-MD5', 'DIGEST-MD5', 'APOP', 'SCRAM'];
