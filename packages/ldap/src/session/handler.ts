import type { ConnectionHandler } from '@portcullis/listener';
import { LdapSession } from './ldap-session.js';
import type { LdapOptions } from './options.js';

/** The LDAP protocol for a listener: one LdapSession per connection. */
export function createLdapHandler(options: LdapOptions): ConnectionHandler {
  return (conn) => new LdapSession(conn, options).run();
}
