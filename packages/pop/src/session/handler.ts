import type { ConnectionHandler } from '@portcullis/listener';
import type { PopOptions } from './options.js';
import { PopSession } from './pop-session.js';

/** The POP3 protocol for a listener: one PopSession per connection. */
export function createPopHandler(options: PopOptions): ConnectionHandler {
  return (conn) => new PopSession(conn, options).run();
}
