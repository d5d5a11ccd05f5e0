import type { Authenticator } from '@portcullis/auth-core';

/** What the read-only directory needs from the store: DirectoryStore satisfies it. */
export interface AccountDirectory {
  /** account names (local parts) of a canonical domain */
  listAccounts(domain: string): Promise<string[]>;
  /**
   * canonical domain names, for `DOMAIN\user` simple binds; without it only the listener's
   * domain and the main domain can be named that way
   */
  listDomains?(): Promise<string[]>;
}

export interface LdapOptions {
  authenticator: Authenticator;
  /** the server's host name (DIGEST-MD5 realm, logs) */
  serverName: string;
  /** accounts for searches after bind; without it a search sees only the bound account */
  directory?: AccountDirectory;
  /** the naming context shown to anonymous clients when the listener names no domain */
  mainDomain?: string;
  /** largest LDAPMessage accepted, in bytes (default 256 KiB); a bigger one closes the connection */
  maxMessageSize?: number;
  /** requests answered with protocolError tolerated before the connection is closed (default 10) */
  maxBadRequests?: number;
  /** server cap on entries per search (default 1000), below any client sizeLimit */
  sizeLimit?: number;
  /** SASL bind rounds in one exchange (default 10) */
  maxSaslRounds?: number;
}

export const DEFAULT_MAX_BAD_REQUESTS = 10;
export const DEFAULT_SIZE_LIMIT = 1000;
export const DEFAULT_MAX_SASL_ROUNDS = 10;
