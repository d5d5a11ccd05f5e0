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

export type HelperCommand = 'INTF' | 'VRFY' | 'NEW';

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
  NEW: {
    args: ['<user@domain>'],
    sentWhen: 'a login names an account that does not exist in a domain whose default settings have useExtPassword',
    replies: 'OK: create the account (with no own password); ERROR <text>: no such user',
  },
};

/** Reply words a helper may use. */
export const REPLY_WORDS = ['OK', 'ERROR', 'INTF'] as const;
export type ReplyWord = (typeof REPLY_WORDS)[number];
