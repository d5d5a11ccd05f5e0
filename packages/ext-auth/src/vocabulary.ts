/**
 * The External Authentication helper protocol, in one table: what the gateway sends and what a
 * helper may answer. The README renders the same facts for site programmers.
 *
 * Request:  `<seq> <COMMAND> <arg> ...`  (seq: decimal, unique among requests in flight)
 * Reply:    `<seq> OK [text]` | `<seq> ERROR <text>` | for INTF also `<seq> INTF <version>`
 * Info:     `* <text>` at any time, logged at info level
 */

/** Our side's interface version, sent with INTF. */
export const INTERFACE_VERSION = 1;

/** Lines are at most this many bytes, without the line end. */
export const MAX_LINE_BYTES = 4096;

export type HelperCommand = 'INTF' | 'VRFY' | 'NEW' | 'SASL';

/**
 * The secure methods sent as `SASL(<method>)`: those whose whole proof is one digest of a
 * challenge, so the helper's OK is all the gateway needs. DIGEST-MD5 and SCRAM are not among
 * them: the server must answer them with a value built from the password itself.
 */
export const SASL_METHODS = ['CRAM-MD5', 'APOP'] as const;
export type SaslMethod = (typeof SASL_METHODS)[number];

export function isSaslMethod(method: string): method is SaslMethod {
  return (SASL_METHODS as readonly string[]).includes(method);
}

export interface CommandSpec {
  /** arguments after the command word, in order */
  args: readonly string[];
  /** when the gateway sends it */
  sentWhen: string;
  /** what the answers mean */
  replies: string;
}

export const HELPER_COMMANDS: Readonly<Record<HelperCommand, CommandSpec>> = {
  INTF: {
    args: ['<version>'],
    sentWhen: 'first, each time the program is started',
    replies: 'INTF <version> or OK <version>: the helper\'s version, logged (any answer is accepted)',
  },
  VRFY: {
    args: ['<user@domain>', '<password>'],
    sentWhen: 'a cleartext login to an account with useExtPassword',
    replies: 'OK: the password is right; ERROR <text>: it is not (the text goes to the log)',
  },
  SASL: {
    args: ['<user@domain>', '<challenge>', '<response>'],
    sentWhen:
      'a CRAM-MD5 or APOP login to an account with useExtPassword and no clear password of its own; the command word is SASL(CRAM-MD5) or SASL(APOP)',
    replies:
      'OK: the response is right (CRAM-MD5: hex HMAC-MD5(password, challenge); APOP: hex MD5(challenge + password)); ERROR <text>: it is not, or the helper does not do this method',
  },
  NEW: {
    args: ['<user@domain>'],
    sentWhen: 'a login names an account that does not exist in a domain whose default settings have useExtPassword',
    replies: 'OK: create the account (with no own password); ERROR <text>: no such user',
  },
};

/** Reply words a helper may use. */
export const REPLY_WORDS = ['OK', 'ERROR', 'INTF'] as const;
export type ReplyWord = (typeof REPLY_WORDS)[number];
