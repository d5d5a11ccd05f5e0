/**
 * One IMAP connection as a state machine (RFC 9051 section 3): not authenticated → authenticated
 * ⇄ selected → logout. Login is delegated to the Authenticator; after it the built-in session
 * serves empty mailboxes with RFC 4314 ACLs (mailbox-commands.ts, acl-commands.ts), unless a relay
 * hook sends the session upstream.
 */
import {
  connectionInfo,
  type AuthFailure,
  type AuthSuccess,
  type Authenticator,
  type ConnectionInfo,
  type DirectoryStore,
  type MailboxStore,
} from '@portcullis/auth-core';
import { decodeInitialResponse, runSaslDialog, type DialogAbort } from '@portcullis/line-protocol';
import { recordCleartext, relayConnection, type RelayClient, type RelayHook } from '@portcullis/relay';
import {
  ConnectionClosedError,
  IdleTimeoutError,
  type Connection,
} from '@portcullis/listener';
import {
  asAString,
  asAStringBytes,
  asAtom,
  asList,
  continuation,
  imapString,
  tagged,
  untagged,
  untaggedStatus,
  type ImapCommand,
} from '../codec/index.js';
import { failureReply } from './auth-replies.js';
import { ENABLEABLE, postLoginCapabilities, preLoginCapabilities } from './capabilities.js';
import { readCommand, type ReaderLimits, type ReadResult } from './command-reader.js';
import { ACL_COMMANDS, aclCommand } from './acl-commands.js';
import type { CommandContext, SelectedMailbox } from './command-context.js';
import { MailboxAccess } from './mailbox-access.js';
import { MAILBOX_COMMANDS, mailboxCommand } from './mailbox-commands.js';

export interface ImapSessionConfig {
  authenticator: Authenticator;
  serverName: string;
  maxLiteralSize: number;
  maxBadCommands: number;
  /** mailbox names and ACLs of the built-in session */
  mailboxes: MailboxStore;
  /** the groups an account is in, for ACL entries naming groups */
  groupsOf: (account: string) => Promise<string[]>;
  /** when set, SETACL accepts only real domains, accounts and groups */
  directory?: DirectoryStore;
  /** asked after each login whether the session continues on an upstream server */
  relay?: RelayHook;
}

type LoginCommand = 'LOGIN' | 'AUTHENTICATE';
type State = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

/** SASL client responses may be long (GSSAPI tokens). */
const DIALOG_ABORT_TEXT: Record<DialogAbort, string> = {
  'line-too-long': 'SASL response too long; authentication aborted',
  'malformed-base64': 'invalid base64; authentication aborted',
  'expected-empty': 'expected an empty response',
  'too-many-rounds': 'too many authentication steps; authentication aborted',
};
const ID_MAX_PAIRS = 30;

/** Commands of the selected state the built-in empty mailbox answers trivially. */
const NOT_IN_BUILTIN_STORE = new Set(['APPEND', 'IDLE', 'COPY', 'MOVE', 'STORE', 'FETCH']);
const AUTHENTICATED_COMMANDS = new Set([
  'ENABLE', 'CLOSE', 'UNSELECT', 'CHECK', 'EXPUNGE', 'SEARCH', 'UID', ...NOT_IN_BUILTIN_STORE, ...MAILBOX_COMMANDS, ...ACL_COMMANDS,
]);

/** A store error saying "try again later" (the directory's DirectoryError code, read structurally). */
function isStoreUnavailable(err: unknown): boolean {
  return err instanceof Error && (err as Error & { code?: unknown }).code === 'unavailable';
}

export class ImapSession {
  private state: State = 'not-authenticated';
  private badCommands = 0;
  private selected: SelectedMailbox | null = null;
  private account: string | undefined;
  /** the mailbox and ACL commands' view of this session, made at the first such command */
  private mailboxContext: CommandContext | undefined;
  private readonly limits: ReaderLimits;

  constructor(
    private readonly conn: Connection,
    private readonly config: ImapSessionConfig,
  ) {
    this.limits = {
      maxLiteralSize: config.maxLiteralSize,
      maxDiscard: Math.max(1024 * 1024, config.maxLiteralSize * 16),
      maxLiterals: 64,
    };
  }

  /** A fresh snapshot each time: `secure` changes with STARTTLS. */
  private info(): ConnectionInfo {
    return connectionInfo(this.conn, 'imap', this.config.serverName);
  }

  async run(): Promise<void> {
    try {
      const refused = await this.config.authenticator.checkClientAddress(this.info());
      if (refused) {
        this.conn.log.info({ code: refused.code }, 'connection refused: not a client address');
        await this.bye(refused.message);
        return;
      }
      const caps = await this.capabilities();
      this.conn.write(untaggedStatus('OK', `${this.config.serverName} IMAP4rev1 ready`, `CAPABILITY ${caps}`));
      while (this.state !== 'logout' && !this.conn.closed) {
        // read here, not inside serveOne: an idle connection waits with one frame less
        await this.serveOne(await readCommand(this.conn, this.limits));
      }
    } catch (err) {
      await this.onError(err);
    }
  }

  private async onError(err: unknown): Promise<void> {
    if (err instanceof ConnectionClosedError) return;
    if (err instanceof IdleTimeoutError) {
      await this.bye('autologout; idle for too long');
      return;
    }
    this.conn.log.error({ err }, 'imap session failed');
    await this.bye('internal server error');
  }

  private async bye(text: string): Promise<void> {
    this.state = 'logout';
    if (this.conn.closed) return;
    this.conn.write(untaggedStatus('BYE', text));
    await this.conn.close();
  }

  private async serveOne(read: ReadResult): Promise<void> {
    switch (read.kind) {
      case 'command':
        break;
      case 'fatal':
        await this.bye(read.text);
        return;
      case 'no':
        this.conn.write(tagged(read.tag, 'NO', read.text, read.code));
        return;
      case 'bad':
        await this.bad(read.tag, read.text, read.code);
        return;
    }
    const cmd = read.command;
    // arguments are never logged: LOGIN and AUTHENTICATE carry secrets
    this.conn.log.debug({ tag: cmd.tag, command: cmd.name }, 'imap command');
    try {
      await this.dispatch(cmd);
    } catch (err) {
      if (err instanceof ConnectionClosedError || err instanceof IdleTimeoutError) throw err;
      this.conn.log.error({ err, command: cmd.name }, 'imap command failed');
      if (!this.conn.closed) this.conn.write(tagged(cmd.tag, 'NO', 'internal server error', 'SERVERBUG'));
    }
  }

  /** A BAD reply; too many of them end the session. */
  private async bad(tag: string | undefined, text: string, code?: string): Promise<void> {
    this.conn.write(tag ? tagged(tag, 'BAD', text, code) : untaggedStatus('BAD', text, code));
    this.badCommands += 1;
    if (this.badCommands >= this.config.maxBadCommands) {
      this.conn.log.info({ count: this.badCommands }, 'too many bad commands');
      await this.bye('too many bad commands');
    }
  }

  private ok(tag: string, text: string, code?: string): void {
    this.conn.write(tagged(tag, 'OK', text, code));
  }

  private async capabilities(): Promise<string> {
    if (this.state !== 'not-authenticated') return postLoginCapabilities();
    const info = this.info();
    const ad = await this.config.authenticator.advertise(info);
    return preLoginCapabilities(ad, this.conn.canStartTls && !this.conn.secure);
  }

  private async dispatch(cmd: ImapCommand): Promise<void> {
    const { tag, name, args } = cmd;
    switch (name) {
      case 'CAPABILITY':
        if (args.length) return this.bad(tag, 'CAPABILITY takes no arguments');
        this.conn.write(untagged(`CAPABILITY ${await this.capabilities()}`));
        return this.ok(tag, 'CAPABILITY completed');
      case 'NOOP':
        if (args.length) return this.bad(tag, 'NOOP takes no arguments');
        return this.ok(tag, 'NOOP completed');
      case 'LOGOUT':
        if (args.length) return this.bad(tag, 'LOGOUT takes no arguments');
        // one write, one segment: every connection ends here
        this.conn.write(
          untaggedStatus('BYE', `${this.config.serverName} IMAP4rev1 server logging out`) + tagged(tag, 'OK', 'LOGOUT completed'),
        );
        this.state = 'logout';
        await this.conn.close();
        return;
      case 'ID':
        return this.id(cmd);
    }
    if (this.state === 'not-authenticated') {
      switch (name) {
        case 'STARTTLS':
          return this.startTls(cmd);
        case 'LOGIN':
          return this.login(cmd);
        case 'AUTHENTICATE':
          return this.authenticate(cmd);
      }
      if (AUTHENTICATED_COMMANDS.has(name)) return this.bad(tag, `${name} is valid only after login`);
      return this.bad(tag, 'unknown command');
    }
    return this.authenticatedCommand(cmd);
  }

  // ---- any state ----

  private async id(cmd: ImapCommand): Promise<void> {
    const [arg, ...rest] = cmd.args;
    const list = asList(arg);
    const valid =
      rest.length === 0 &&
      (arg?.type === 'nil' ||
        (list !== null &&
          list.length % 2 === 0 &&
          list.length <= ID_MAX_PAIRS * 2 &&
          list.every((v, i) => v.type === 'string' || (i % 2 === 1 && v.type === 'nil'))));
    if (!valid) return this.bad(cmd.tag, 'ID expects NIL or a list of field/value pairs');
    if (list) {
      const fields: Record<string, string> = {};
      for (let i = 0; i + 1 < list.length; i += 2) {
        const key = asAString(list[i])!.slice(0, 64);
        const value = list[i + 1]!;
        fields[key] = value.type === 'string' ? value.value.toString('utf8').slice(0, 256) : 'NIL';
      }
      this.conn.log.info({ clientId: fields }, 'client ID');
    }
    this.conn.write(untagged(`ID (${imapString('name')} ${imapString('Portcullis')})`));
    return this.ok(cmd.tag, 'ID completed');
  }

  // ---- not authenticated ----

  private async startTls(cmd: ImapCommand): Promise<void> {
    if (cmd.args.length) return this.bad(cmd.tag, 'STARTTLS takes no arguments');
    if (this.conn.secure) return this.bad(cmd.tag, 'TLS is already active');
    if (!this.conn.canStartTls) return this.bad(cmd.tag, 'STARTTLS is not available here');
    this.ok(cmd.tag, 'Begin TLS negotiation now');
    await this.conn.startTls();
    this.conn.log.info({}, 'STARTTLS completed');
  }

  private async login(cmd: ImapCommand): Promise<void> {
    const [userArg, passArg, ...rest] = cmd.args;
    const user = asAString(userArg);
    const password = asAStringBytes(passArg);
    if (user === null || password === null || rest.length) {
      return this.bad(cmd.tag, 'LOGIN expects a user name and a password');
    }
    const result = await this.config.authenticator.loginPlaintext(user, password.toString('utf8'), this.info());
    if (result.ok) return this.loggedIn(cmd.tag, result.success, 'LOGIN', { name: user, password: password.toString('utf8') });
    return this.failed(cmd.tag, result.failure, 'LOGIN');
  }

  private async authenticate(cmd: ImapCommand): Promise<void> {
    const [mechArg, irArg, ...rest] = cmd.args;
    const mechanism = asAtom(mechArg)?.toUpperCase();
    if (!mechanism || rest.length) return this.bad(cmd.tag, 'AUTHENTICATE expects a mechanism name');
    let input: Buffer | null = null;
    if (irArg) {
      // SASL-IR (RFC 4959)
      const text = asAString(irArg);
      input = text === null ? null : decodeInitialResponse(text);
      if (input === null) return this.bad(cmd.tag, 'invalid base64 in initial response');
    }
    const exchange = this.config.authenticator.startSasl(mechanism, this.info());
    if (!exchange) {
      this.conn.log.info({ mechanism }, 'unsupported SASL mechanism');
      this.conn.write(tagged(cmd.tag, 'NO', 'unsupported authentication mechanism', 'CANNOT'));
      return;
    }
    // passthrough relaying replays a PLAIN or LOGIN client's own password: keep its responses
    const recorded = recordCleartext(exchange, this.config.relay !== undefined);
    const outcome = await runSaslDialog(this.conn, recorded.exchange, input, { challengeLine: continuation });
    switch (outcome.kind) {
      case 'success': {
        const cleartext = recorded.cleartext();
        // another account's authzid (impersonation): the client's password would not open it
        const replayable = cleartext && outcome.success.authzid === outcome.success.authcid;
        return this.loggedIn(cmd.tag, outcome.success, 'AUTHENTICATE', replayable ? { name: cleartext.loginName, password: cleartext.password } : undefined);
      }
      case 'failure':
        return this.failed(cmd.tag, outcome.failure, 'AUTHENTICATE', mechanism);
      case 'aborted':
        this.conn.log.info({ mechanism, reason: outcome.reason }, 'SASL exchange aborted');
        return this.bad(cmd.tag, DIALOG_ABORT_TEXT[outcome.reason]);
    }
  }

  private async loggedIn(
    tag: string,
    success: AuthSuccess,
    command: LoginCommand,
    cleartext?: { name: string; password: string },
  ): Promise<void> {
    if (this.config.relay && (await this.relayed(tag, success, command, this.config.relay, cleartext))) return;
    this.state = 'authenticated';
    this.account = success.authzid;
    this.conn.setLoggedIn();
    // auth-core logs every successful login at info already (account, authzid, mechanism, service,
    // remote address, connection id); a second info line per login cost ~5% of the CPU under load
    this.conn.log.debug(
      { account: success.authzid, authcid: success.authcid, mechanism: success.mechanism, command },
      'login',
    );
    this.ok(tag, `${command} completed`, `CAPABILITY ${postLoginCapabilities()}`);
  }

  /**
   * Ask the relay hook; true when it took the login (relayed, or answered with a temporary
   * failure), false for the built-in session.
   */
  private async relayed(
    tag: string,
    success: AuthSuccess,
    command: LoginCommand,
    hook: RelayHook,
    cleartext: { name: string; password: string } | undefined,
  ): Promise<boolean> {
    const client: RelayClient = {
      account: success.authzid,
      clientAddress: this.conn.remoteAddress,
      clientPort: this.conn.remotePort,
      localAddress: this.conn.localAddress,
      localPort: this.conn.localPort,
      ...(cleartext ? { loginName: cleartext.name, password: cleartext.password } : {}),
    };
    const decision = await hook('imap', success, client);
    if (decision.kind === 'builtin') return false;
    if (decision.kind === 'unavailable' || !this.conn.takeOver) {
      if (decision.kind === 'relay') decision.upstream.socket.destroy();
      this.conn.log.info({ account: success.authzid, command }, 'login not relayed: upstream unavailable');
      this.conn.write(tagged(tag, 'NO', 'mail server temporarily unavailable, try again later', 'UNAVAILABLE'));
      return true;
    }
    this.state = 'logout';
    this.account = success.authzid;
    this.ok(tag, `${command} completed`, `CAPABILITY ${(decision.upstream.capabilities ?? []).join(' ')}`);
    await relayConnection(this.conn, decision, success.authzid);
    return true;
  }

  private async failed(tag: string, failure: AuthFailure, command: LoginCommand, mechanism?: string): Promise<void> {
    this.conn.log.info({ code: failure.code, command, ...(mechanism ? { mechanism } : {}) }, 'login failed');
    const reply = failureReply(failure);
    if (reply.kind === 'bye') return this.bye(reply.text);
    if (reply.status === 'BAD') return this.bad(tag, reply.text, reply.code);
    this.conn.write(tagged(tag, reply.status, reply.text, reply.code));
  }

  // ---- authenticated and selected ----

  private async authenticatedCommand(cmd: ImapCommand): Promise<void> {
    const { tag, name } = cmd;
    switch (name) {
      case 'LOGIN':
      case 'AUTHENTICATE':
        return this.bad(tag, 'already logged in');
      case 'STARTTLS':
        return this.bad(tag, 'STARTTLS is valid only before login');
      case 'ENABLE':
        return this.enable(cmd);
      case 'APPEND':
      case 'IDLE':
        this.conn.write(tagged(tag, 'NO', `${name} is not available in this session`, 'CANNOT'));
        return;
    }
    if (MAILBOX_COMMANDS.has(name) || ACL_COMMANDS.has(name)) {
      const ctx = this.mailboxCommands();
      ctx.access.forget();
      const config = this.config;
      try {
        return await (MAILBOX_COMMANDS.has(name) ? mailboxCommand(ctx, cmd) : aclCommand(ctx, cmd, config.directory ? { directory: config.directory } : {}));
      } catch (err) {
        if (!isStoreUnavailable(err)) throw err;
        this.conn.log.warn({ err, command: name }, 'mailbox store unavailable');
        this.conn.write(tagged(tag, 'NO', 'mailbox store temporarily unavailable, try again later', 'UNAVAILABLE'));
        return;
      }
    }
    if (AUTHENTICATED_COMMANDS.has(name)) {
      if (this.state !== 'selected') return this.bad(tag, 'no mailbox selected');
      return this.selectedCommand(cmd);
    }
    return this.bad(tag, 'unknown command');
  }

  private async selectedCommand(cmd: ImapCommand): Promise<void> {
    const { tag, name, args } = cmd;
    switch (name) {
      case 'CLOSE':
      case 'UNSELECT':
        if (args.length) return this.bad(tag, `${name} takes no arguments`);
        this.state = 'authenticated';
        this.selected = null;
        return this.ok(tag, `${name} completed`);
      case 'CHECK':
      case 'EXPUNGE':
        if (args.length) return this.bad(tag, `${name} takes no arguments`);
        return this.ok(tag, `${name} completed`);
      case 'SEARCH':
        if (!args.length) return this.bad(tag, 'SEARCH expects search criteria');
        this.conn.write(untagged('SEARCH'));
        return this.ok(tag, 'SEARCH completed');
      case 'UID': {
        const sub = asAtom(args[0])?.toUpperCase();
        if (!sub || !['FETCH', 'SEARCH', 'STORE', 'COPY', 'MOVE', 'EXPUNGE'].includes(sub) || args.length < 2) {
          return this.bad(tag, 'UID expects FETCH, SEARCH, STORE, COPY, MOVE or EXPUNGE with arguments');
        }
        // the mailbox is empty: every UID set matches nothing, which is not an error
        if (sub === 'SEARCH') this.conn.write(untagged('SEARCH'));
        return this.ok(tag, `UID ${sub} completed`);
      }
      default:
        // FETCH, STORE, COPY, MOVE by sequence number: no message numbers exist in an empty mailbox
        return this.bad(tag, 'invalid message sequence number: the mailbox is empty');
    }
  }

  /** The context the mailbox and ACL command modules run in. */
  private mailboxCommands(): CommandContext {
    if (this.mailboxContext) return this.mailboxContext;
    const { conn, config } = this;
    const access = new MailboxAccess(config.mailboxes, this.account!, config.groupsOf);
    this.mailboxContext = {
      access,
      write: (data) => conn.write(data),
      reply: (tag, status, text, code) => conn.write(tagged(tag, status, text, code)),
      bad: (tag, text) => this.bad(tag, text),
      select: (mailbox) => {
        this.selected = mailbox;
        if (mailbox) this.state = 'selected';
        else if (this.state === 'selected') this.state = 'authenticated';
      },
      log: (fields, message) => conn.log.info(fields, message),
    };
    return this.mailboxContext;
  }

  private async enable(cmd: ImapCommand): Promise<void> {
    const { tag, args } = cmd;
    const names = args.map((a) => asAtom(a));
    if (names.length === 0 || names.some((n) => n === null)) return this.bad(tag, 'ENABLE expects capability names');
    const enabled = (names as string[]).filter((n) => ENABLEABLE.has(n.toUpperCase()));
    this.conn.write(untagged(['ENABLED', ...enabled].join(' ')));
    return this.ok(tag, 'ENABLE completed');
  }

  /** For logs and tests: the account this session opened. */
  get loggedInAccount(): string | undefined {
    return this.account;
  }

  get currentState(): State {
    return this.state;
  }

  /** For tests: the mailbox SELECT or EXAMINE opened, null when none is. */
  get selectedMailbox(): SelectedMailbox | null {
    return this.selected;
  }
}
