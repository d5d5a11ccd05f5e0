/** What is wrong with an ACL identifier or rights string; the message says it to a person. */
export type AclErrorCode =
  | 'bad-identifier'
  | 'bad-rights'
  | 'unknown-domain'
  | 'domain-alias'
  | 'unknown-account'
  | 'unknown-group'
  | 'no-groups';

export class AclError extends Error {
  constructor(
    readonly code: AclErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AclError';
  }
}
