/**
 * What a line-protocol session does around its login when relaying: tell the hook who logged in
 * and from where, and once it answered the client's login, hand the connection to relaySession.
 * Shared by the POP3 and SMTP sessions so that both log and end a relayed session the same way.
 */
import type { Connection } from '@portcullis/listener';
import { relaySession } from './relay-session.js';
import type { RelayClient, RelayDecision, RelayHook, RelayLogin, RelayResult, UpstreamService } from './types.js';

/** the client's own name and password, known only after a cleartext login */
export interface ClientCredentials {
  loginName: string;
  password: string;
}

/**
 * The RelayClient for a login on `conn`. The password goes along only when the login opened the
 * account it authenticated as: replaying it could not open another account (impersonation).
 */
export function relayClientOf(conn: Connection, login: RelayLogin, credentials?: ClientCredentials): RelayClient {
  const client: RelayClient = {
    account: login.authzid,
    clientAddress: conn.remoteAddress,
    clientPort: conn.remotePort,
    localAddress: conn.localAddress,
    localPort: conn.localPort,
  };
  if (credentials && login.authzid === login.authcid) {
    client.password = credentials.password;
    if (credentials.loginName !== login.authzid) client.loginName = credentials.loginName;
  }
  return client;
}

/** the hook's decision; a hook that throws (it should not) counts as `unavailable` */
export async function askRelay(
  hook: RelayHook,
  service: UpstreamService,
  login: RelayLogin,
  client: RelayClient,
): Promise<RelayDecision> {
  try {
    return await hook(service, login, client);
  } catch (err) {
    return { kind: 'unavailable', reason: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * Whether `conn` can be handed to a relay: asked before the client's login is answered, so that
 * a connection that cannot (a test double, or one already gone) gets the temporary failure.
 */
export function canTakeOver(conn: Connection): boolean {
  return typeof conn.takeOver === 'function' && !conn.closed;
}

/**
 * Take the socket over from `conn` (after the login reply was written: it goes out first) and
 * relay it to the decision's upstream until either side closes. The upstream is closed when the
 * connection cannot be taken over.
 */
export async function relayConnection(
  conn: Connection,
  decision: Extract<RelayDecision, { kind: 'relay' }>,
  account: string,
): Promise<RelayResult> {
  const upstream = decision.upstream;
  if (!conn.takeOver) {
    upstream.socket.destroy();
    throw new Error('this connection cannot be handed to a relay');
  }
  let taken: ReturnType<NonNullable<Connection['takeOver']>>;
  try {
    taken = conn.takeOver();
  } catch (err) {
    upstream.socket.destroy();
    throw err;
  }
  const log = conn.log;
  log.info({ account, upstream: `${upstream.host}:${upstream.port}` }, `${conn.service} session relayed`);
  const result = await relaySession(taken.socket, taken.buffered, upstream, decision.timeouts, { log });
  log.info({ account, reason: result.reason, bytesUp: result.bytesUp, bytesDown: result.bytesDown, path: result.path }, `${conn.service} relay ended`);
  return result;
}
