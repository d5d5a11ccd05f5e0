import type { ConnectionHandler } from '@portcullis/listener';
import type { PwdOptions } from './options.js';
import { PwdSession } from './pwd-session.js';

/** The PWD protocol for a listener: one PwdSession per connection. */
export function createPwdHandler(options: PwdOptions): ConnectionHandler {
  return (conn) => new PwdSession(conn, options).run();
}
