import type { ConnectionHandler } from '@portcullis/listener';
import { FtpSession } from './ftp-session.js';
import type { FtpOptions } from './options.js';

/** The FTP protocol for a listener: one FtpSession per control connection. */
export function createFtpHandler(options: FtpOptions): ConnectionHandler {
  return (conn) => new FtpSession(conn, options).run();
}
