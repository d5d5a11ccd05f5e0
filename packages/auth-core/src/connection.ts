import type { ServiceName } from './settings.js';

/** TLS facts a mechanism may need (SCRAM -PLUS channel bindings). */
export interface TlsChannel {
  /** RFC 9266 tls-exporter: exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', empty context). */
  exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer;
  /** DER of the server's own certificate, for tls-server-end-point (RFC 5929). */
  serverCertificateDer(): Buffer | null;
  /** 'TLSv1.2' | 'TLSv1.3' */
  protocol: string | null;
  /**
   * DER of the certificate the client presented (SASL EXTERNAL), null when it sent none. The
   * listener asks for one but does not verify it: auth-core checks it against the domain's CA.
   * Optional so that channels built elsewhere (tests, other transports) need not have it.
   */
  peerCertificateDer?(): Buffer | null;
}

/** What auth-core knows of the client connection: no sockets, only facts. */
export interface ConnectionInfo {
  service: ServiceName;
  /** a per-connection id, for logs */
  id: string;
  /** the client's address: the PROXY header's source when the listener trusts one */
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  /** TLS is active on the link */
  secure: boolean;
  tls?: TlsChannel;
  /** the listener's `domain` setting, used when a login name has no domain part */
  listenerDomain?: string;
  /** the host name the server presents (realm for DIGEST-MD5) */
  serverName: string;
}
