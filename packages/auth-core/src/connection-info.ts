import type { ConnectionInfo, TlsChannel } from './connection.js';
import type { ServiceName } from './settings.js';

/** The facts of a listener connection, structurally, so auth-core need not know the listener. */
export interface ConnectionFacts {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly listenerDomain: string | undefined;
  readonly secure: boolean;
  tlsChannel(): TlsChannel | undefined;
}

/** A fresh snapshot: call again after STARTTLS. */
export function connectionInfo(conn: ConnectionFacts, service: ServiceName, serverName: string): ConnectionInfo {
  const tls = conn.secure ? conn.tlsChannel() : undefined;
  return {
    service,
    id: conn.id,
    remoteAddress: conn.remoteAddress,
    remotePort: conn.remotePort,
    localAddress: conn.localAddress,
    localPort: conn.localPort,
    secure: conn.secure,
    ...(tls ? { tls } : {}),
    ...(conn.listenerDomain ? { listenerDomain: conn.listenerDomain } : {}),
    serverName,
  };
}
