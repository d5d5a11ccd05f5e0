import type { ConnectionHandler } from '@portcullis/listener';
import type { SmtpOptions } from './options.js';
import { SmtpSession } from './smtp-session.js';

/** The SMTP submission protocol for a listener: one SmtpSession per connection. */
export function createSmtpHandler(options: SmtpOptions): ConnectionHandler {
  return (conn) => new SmtpSession(conn, options).run();
}
