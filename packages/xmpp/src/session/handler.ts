import type { Authenticator } from '@portcullis/auth-core';
import type { ConnectionHandler } from '@portcullis/listener';
import { defaultRouter, type XmppRouter } from './router.js';
import { XmppSession, type XmppSessionConfig } from './session.js';

export interface XmppOptions {
  authenticator: Authenticator;
  /** the host name: the DIGEST-MD5 realm, and accepted as a stream `to` meaning the default domain */
  serverName: string;
  /** the domain of a stream without `to` when the listener names none (default: serverName) */
  mainDomain?: string;
  /**
   * The canonical name of a domain this server serves (aliases resolve to it), or null. A stream
   * `to` it refuses gets the host-unknown stream error. Absent: any well-formed `to` is served.
   */
  resolveDomain?: (name: string) => Promise<string | null>;
  /** STARTTLS is required before SASL on a starttls listener (default false: offered) */
  requireStartTls?: boolean;
  /** offer the RFC 3921 session feature, marked optional, for old clients (default true) */
  legacySession?: boolean;
  /** largest stanza in characters before authentication (default 16 KiB) and after (default 64 KiB) */
  maxStanzaPreAuth?: number;
  maxStanzaPostAuth?: number;
  /** failed SASL attempts before the stream is closed (default 3) */
  maxAuthFailures?: number;
  /** stanzas per second a client may send on average, and in a burst (defaults 50 and 200) */
  stanzaRate?: number;
  stanzaBurst?: number;
  /** sessions for message routing; default: one router for the whole process */
  router?: XmppRouter;
}

export const DEFAULT_MAX_STANZA_PRE_AUTH = 16 * 1024;
export const DEFAULT_MAX_STANZA_POST_AUTH = 64 * 1024;
export const DEFAULT_MAX_AUTH_FAILURES = 3;

/** The listener's per-connection handler for the `xmpp` service. */
export function createXmppHandler(options: XmppOptions): ConnectionHandler {
  const config: XmppSessionConfig = {
    authenticator: options.authenticator,
    serverName: options.serverName,
    mainDomain: options.mainDomain,
    resolveDomain: options.resolveDomain,
    requireStartTls: options.requireStartTls ?? false,
    legacySession: options.legacySession ?? true,
    maxStanzaPreAuth: positive(options.maxStanzaPreAuth, DEFAULT_MAX_STANZA_PRE_AUTH),
    maxStanzaPostAuth: positive(options.maxStanzaPostAuth, DEFAULT_MAX_STANZA_POST_AUTH),
    maxAuthFailures: positive(options.maxAuthFailures, DEFAULT_MAX_AUTH_FAILURES),
    stanzaRate: positive(options.stanzaRate, 50),
    stanzaBurst: positive(options.stanzaBurst, 200),
    router: options.router ?? defaultRouter,
  };
  return async (conn) => {
    await new XmppSession(conn, config).run();
  };
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}
