export { createImapHandler, DEFAULT_MAX_BAD_COMMANDS, DEFAULT_MAX_LITERAL_SIZE, type ImapOptions } from './session/handler.js';
export { ImapSession, type ImapSessionConfig } from './session/session.js';
export { failureReply, type FailureReply } from './session/auth-replies.js';
export { preLoginCapabilities, postLoginCapabilities } from './session/capabilities.js';
export * from './codec/index.js';
export { createMemoryMailboxStore } from './store/memory-mailbox-store.js';
export { DELIMITER, OTHER_USERS, resolveMailboxName, type MailboxRef } from './store/mailbox-names.js';
export { NAMESPACE_RESPONSE } from './session/mailbox-commands.js';
export { ACL_CAPABILITIES } from './session/acl-commands.js';
