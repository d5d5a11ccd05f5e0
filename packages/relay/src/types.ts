/**
 * The relay's public contract: what a protocol session asks after a login, and what the
 * per-protocol upstream dialogs (imap-upstream, pop-upstream, smtp-upstream) implement.
 */
import type net from 'node:net';
import type tls from 'node:tls';

export type UpstreamService = 'imap' | 'pop' | 'smtp';
export type UpstreamTls = 'none' | 'starttls' | 'implicit';
/**
 * master: SASL PLAIN with the account as authorization identity and a master user's credentials;
 * xclient: Postfix XCLIENT LOGIN= ADDR= (SMTP only);
 * proxy: a PROXY v2 header carrying the client's address, then the master login;
 * passthrough: the client's own credentials replayed (only after a cleartext login).
 */
export type UpstreamLoginMode = 'master' | 'xclient' | 'proxy' | 'passthrough';

export interface UpstreamTarget {
  host: string;
  port: number;
  tls: UpstreamTls;
  /** PEM text of the CA the upstream's certificate is verified with; system CAs when absent */
  ca?: string;
  login: UpstreamLoginMode;
  authMechanism: 'PLAIN' | 'LOGIN';
  masterUser?: string;
  masterPassword?: string;
}

/** who logged in at the gateway and from where; password only after a cleartext login (passthrough) */
export interface RelayClient {
  /** the account opened at the gateway (authzid), user@domain */
  account: string;
  clientAddress: string;
  clientPort: number;
  localAddress: string;
  localPort: number;
  password?: string;
  /**
   * the name the client typed, when it differs from `account` (passthrough replays what the
   * client sent); `account` is used when absent
   */
  loginName?: string;
}

export interface UpstreamSession {
  socket: net.Socket | tls.TLSSocket;
  /** bytes read past the login reply */
  leftover: Buffer;
  /** IMAP: upstream capabilities after login */
  capabilities?: string[];
  host: string;
  port: number;
}

/** one protocol's upstream dialog: greeting, STARTTLS, ID/XCLIENT, login; rejects with UpstreamError */
export type UpstreamDialog = (
  socket: net.Socket | tls.TLSSocket,
  target: UpstreamTarget,
  client: RelayClient,
  timeoutMs: number,
) => Promise<UpstreamSession>;

export type UpstreamErrorKind = 'unreachable' | 'refused' | 'protocol' | 'timeout';

export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly kind: UpstreamErrorKind,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/** idle: no byte either way; total: the whole relayed session. 0 disables either. */
export interface RelayTimeouts {
  idleTimeoutMs: number;
  totalTimeoutMs: number;
}

/** the per-login decision the gateway hands a protocol session */
export type RelayDecision =
  | { kind: 'builtin' }
  | { kind: 'relay'; upstream: UpstreamSession; timeouts: RelayTimeouts }
  | { kind: 'unavailable'; reason: string };

/** the facts of a gateway login the hook needs; auth-core's AuthSuccess fits it */
export interface RelayLogin {
  /** account whose credentials were checked */
  authcid: string;
  /** account opened, user@domain */
  authzid: string;
  mechanism: string;
}

/**
 * Asked by a protocol session after each successful login. Never rejects: failures come back as
 * `unavailable` (the session answers with its temporary-failure reply).
 */
export type RelayHook = (service: UpstreamService, login: RelayLogin, client: RelayClient) => Promise<RelayDecision>;

/** why a relayed session ended */
export type RelayEndReason = 'client-closed' | 'upstream-closed' | 'idle-timeout' | 'total-timeout' | 'error';

export interface RelayResult {
  reason: RelayEndReason;
  /** client → upstream */
  bytesUp: number;
  /** upstream → client */
  bytesDown: number;
  /** how the bytes were copied: `splice` in the kernel (both hops plain TCP), `js` with stream pipes */
  path?: 'js' | 'splice';
}

export interface ConnectUpstreamOptions {
  /** the service's dialog, e.g. { imap: imapUpstream } */
  dialogs: Partial<Record<UpstreamService, UpstreamDialog>>;
  connectTimeoutMs: number;
  loginTimeoutMs: number;
  /**
   * a PROXY v2 header to send first for targets in `proxy` login mode; by default one is built
   * from the client's and the gateway's addresses
   */
  proxyHeader?: Buffer;
  /** called once per target that failed, before the next is tried (logging, metrics) */
  onTargetFailed?: (target: UpstreamTarget, err: UpstreamError) => void;
}
