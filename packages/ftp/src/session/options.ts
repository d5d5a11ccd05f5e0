import type { Authenticator } from '@portcullis/auth-core';
import type { TlsMaterial } from '@portcullis/listener';
import type { PassivePorts } from '../data/passive-channel.js';

export interface FtpPassiveOptions {
  /**
   * the IPv4 address PASV replies name (a load balancer's public address); default: the address
   * the client connected to (the PROXY header's destination when there is one)
   */
  advertisedAddress?: string;
  /** where passive data sockets listen; default 127.0.0.1 */
  bindAddress?: string;
  /** the port range passive data sockets use; default any free port */
  ports?: PassivePorts;
}

export interface FtpOptions {
  authenticator: Authenticator;
  /** the host name in the greeting */
  serverName: string;
  /** each account's files live in <filesRoot>/<domain>/<account>/ */
  filesRoot: string;
  /** the listener's certificate: data connections under PROT P use it */
  tls?: TlsMaterial;
  passive?: FtpPassiveOptions;
  /** the most bytes one STOR/APPE may write (default 1 GiB) */
  maxUploadBytes?: number;
  /** bad commands tolerated before the connection is closed (default 10) */
  maxBadCommands?: number;
  /** ms a passive port waits for its connection, and a data transfer may stall (default 30 s) */
  dataTimeoutMs?: number;
}

export const DEFAULT_MAX_BAD_COMMANDS = 10;
export const DEFAULT_MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_DATA_TIMEOUT_MS = 30_000;
