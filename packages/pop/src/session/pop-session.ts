/**
 * One POP3 connection as a state machine (RFC 1939 section 3):
 *
 *   AUTHORIZATION --(USER/PASS, APOP, AUTH succeeds)--> TRANSACTION --(QUIT)--> UPDATE
 *         |                                                  |
 *         +--(QUIT, too many bad commands, fatal error)------+--> CLOSED
 *
 * A failed login leaves the session in AUTHORIZATION. The maildrop is the built-in empty one.
 */
import {
  connectionInfo,
  type AuthFailure,
  type AuthSuccess,
  type Authenticator,
  type ConnectionInfo,
} from '@portcullis/auth-core';
import { decodeInitialResponse, runSaslDialog, type DialogAbort } from '@portcullis/line-protocol';
import {
  askRelay,
  canTakeOver,
  recordCleartext,
  relayClientOf,
  relayConnection,
  type ClientCredentials,
} from '@portcullis/relay';
import {
  ConnectionClosedError,
  IdleTimeoutError,
  LineTooLongError,
  type Connection,
} from '@portcullis/listener';
import {
  continuation,
  err,
  multiLine,
  ok,
  parseCommand,
  parseMessageNumber,
  parseNonNegative,
  type CommandRejection,
  type PopCommand,
} from '../codec/index.js';
import { capabilityLines } from './capabilities.js';
import { closesConnection, failureReply } from './failure-replies.js';
import { DEFAULT_MAX_BAD_COMMANDS, type PopOptions } from './options.js';

const DIALOG_ABORT_TEXT: Record<DialogAbort, string> = {
  'line-too-long': 'line too long',
  'malformed-base64': 'malformed base64',
  'expected-empty': 'expected an empty response',
  'too-many-rounds': 'too many authentication steps',
};

/** `relayed`: the login went on to an upstream server and the bytes are copied both ways */
export type PopState = 'authorization' | 'transaction' | 'update' | 'relayed' | 'closed';

const REJECTION_TEXT: Record<CommandRejection, string> = {
  empty: 'empty command',
  nul: 'NUL bytes are not allowed',
  encoding: 'command is not valid UTF-8',
  keyword: 'unknown command',
};

const TRANSACTION_ONLY = new Set(['STAT', 'LIST', 'UIDL', 'RETR', 'DELE', 'TOP', 'NOOP', 'RSET']);
const AUTHORIZATION_ONLY = new Set(['USER', 'PASS', 'APOP', 'AUTH', 'STLS']);
const APOP_DIGEST = /^[0-9a-fA-F]{32}$/;

export class PopSession {
  private state: PopState = 'authorization';
  private info: ConnectionInfo;
  private badCommands = 0;
  private readonly maxBadCommands: number;
  private readonly auth: Authenticator;
  /** the greeting's timestamp, when APOP was offered */
  private apopTimestamp: string | undefined;
  /** a USER name waiting for its PASS (only the very next command) */
  private pendingUser: string | undefined;

  constructor(
    private readonly conn: Connection,
    private readonly options: PopOptions,
  ) {
    this.auth = options.authenticator;
    this.maxBadCommands = options.maxBadCommands ?? DEFAULT_MAX_BAD_COMMANDS;
    this.info = this.freshInfo();
  }

  async run(): Promise<void> {
    try {
      if (await this.open()) {
        while (this.state === 'authorization' || this.state === 'transaction') {
          const line = await this.readCommandLine();
          if (line) await this.dispatch(line);
        }
      }
    } catch (e) {
      if (e instanceof ConnectionClosedError) return;
      if (e instanceof IdleTimeoutError) {
        this.send(err('autologout'));
      } else {
        // the message only: an error object could carry request data
        this.conn.log.error({ error: e instanceof Error ? e.message : String(e) }, 'pop session failed');
        this.send(err('internal server error', 'SYS/TEMP'));
      }
    }
    this.state = 'closed';
    if (!this.conn.closed) await this.conn.close();
  }

  // --- connection start -----------------------------------------------------------------------

  private async open(): Promise<boolean> {
    const refusal = await this.auth.checkClientAddress(this.info);
    if (refusal) {
      this.conn.log.info({ code: refusal.code }, 'pop connection refused');
      this.send(err(refusal.message || 'access denied'));
      return false;
    }
    const advertisement = await this.auth.advertise(this.info);
    if (advertisement.apop) this.apopTimestamp = this.auth.apopTimestamp(this.info);
    const greeting = `${this.options.serverName} POP3 ready`;
    this.send(ok(this.apopTimestamp ? `${greeting} ${this.apopTimestamp}` : greeting));
    return true;
  }

  private async readCommandLine(): Promise<Buffer | undefined> {
    try {
      return await this.conn.readLine();
    } catch (e) {
      if (!(e instanceof LineTooLongError)) throw e;
      this.pendingUser = undefined;
      this.bad(err('line too long'));
      return undefined;
    }
  }

  private async dispatch(line: Buffer): Promise<void> {
    const parsed = parseCommand(line);
    const pendingUser = this.pendingUser;
    this.pendingUser = undefined;
    if (!parsed.ok) {
      this.bad(err(REJECTION_TEXT[parsed.reason]));
      return;
    }
    // the command name only: arguments of PASS, APOP and AUTH are secrets
    this.conn.log.debug({ command: parsed.name }, 'pop command');
    if (this.state === 'authorization') await this.authorization(parsed, pendingUser);
    else await this.transaction(parsed);
  }

  // --- AUTHORIZATION --------------------------------------------------------------------------

  private async authorization(cmd: PopCommand, pendingUser: string | undefined): Promise<void> {
    switch (cmd.name) {
      case 'CAPA':
        return this.capa();
      case 'STLS':
        return this.stls(cmd);
      case 'USER':
        if (cmd.args.length !== 1) return this.bad(err('usage: USER name'));
        this.pendingUser = cmd.args[0];
        return this.send(ok('send PASS'));
      case 'PASS':
        if (pendingUser === undefined) return this.bad(err('USER first'));
        if (cmd.rest === undefined) return this.bad(err('usage: PASS password'));
        return this.finishLogin(pendingUser, 'USER', await this.auth.loginPlaintext(pendingUser, cmd.rest, this.info), {
          loginName: pendingUser,
          password: cmd.rest,
        });
      case 'APOP':
        return this.apop(cmd);
      case 'AUTH':
        return this.authenticate(cmd);
      case 'QUIT':
        return this.quit();
      default:
        return this.bad(err(TRANSACTION_ONLY.has(cmd.name) ? 'not valid before login' : 'unknown command'));
    }
  }

  private async capa(): Promise<void> {
    const authorizing = this.state === 'authorization';
    const advertisement = authorizing ? await this.auth.advertise(this.info) : null;
    const lines = capabilityLines({ advertisement, canStartTls: this.conn.canStartTls && !this.conn.secure });
    this.send(multiLine('Capability list follows', lines));
  }

  private async stls(cmd: PopCommand): Promise<void> {
    if (cmd.args.length !== 0) return this.bad(err('usage: STLS'));
    if (this.conn.secure) return this.send(err('TLS is already active'));
    if (!this.conn.canStartTls) return this.send(err('STLS is not available'));
    this.send(ok('Begin TLS negotiation'));
    try {
      await this.conn.startTls();
    } catch (e) {
      if (e instanceof ConnectionClosedError) throw e;
      this.conn.log.info({ error: e instanceof Error ? e.message : String(e) }, 'pop STLS handshake failed');
      this.state = 'closed';
      return;
    }
    // `secure` changed: advertisements and policies must see the new facts
    this.info = this.freshInfo();
  }

  private async apop(cmd: PopCommand): Promise<void> {
    if (!this.apopTimestamp) return this.bad(err('APOP is not available on this connection'));
    const [user, digest] = cmd.args;
    if (cmd.args.length !== 2 || user === undefined || digest === undefined || !APOP_DIGEST.test(digest)) {
      return this.bad(err('usage: APOP name digest'));
    }
    const result = await this.auth.loginApop(user, this.apopTimestamp, digest.toLowerCase(), this.info);
    return this.finishLogin(user, 'APOP', result);
  }

  private async authenticate(cmd: PopCommand): Promise<void> {
    const [mechanismArg, initialArg] = cmd.args;
    if (mechanismArg === undefined) {
      const advertisement = await this.auth.advertise(this.info);
      return this.send(multiLine('SASL mechanisms follow', advertisement.saslMechanisms));
    }
    if (cmd.args.length > 2) return this.bad(err('usage: AUTH mechanism [initial-response]'));
    const mechanism = mechanismArg.toUpperCase();
    let initial: Buffer | null = null;
    if (initialArg !== undefined) {
      initial = decodeInitialResponse(initialArg);
      if (!initial) return this.bad(err('malformed base64'));
    }
    const started = this.auth.startSasl(mechanism, this.info);
    if (!started) return this.bad(err('unsupported authentication mechanism'));
    // passthrough relaying replays a PLAIN or LOGIN password, so the client's responses are kept
    const recorded = recordCleartext(started, this.options.relay !== undefined);
    const outcome = await runSaslDialog(this.conn, recorded.exchange, initial, { challengeLine: continuation });
    if (outcome.kind === 'aborted') return this.bad(err(DIALOG_ABORT_TEXT[outcome.reason]));
    const result =
      outcome.kind === 'success'
        ? ({ ok: true, success: outcome.success } as const)
        : ({ ok: false, failure: outcome.failure } as const);
    return this.finishLogin(undefined, mechanism, result, recorded.cleartext());
  }

  private async finishLogin(
    user: string | undefined,
    method: string,
    result: { ok: true; success: AuthSuccess } | { ok: false; failure: AuthFailure },
    credentials?: ClientCredentials,
  ): Promise<void> {
    if (!result.ok) {
      this.conn.log.info({ user, method, code: result.failure.code }, 'pop login failed');
      this.send(failureReply(result.failure));
      if (closesConnection(result.failure)) this.state = 'closed';
      return;
    }
    const { success } = result;
    if (this.options.relay) {
      const decision = await askRelay(this.options.relay, 'pop', success, relayClientOf(this.conn, success, credentials));
      if (decision.kind === 'relay' && !canTakeOver(this.conn)) {
        decision.upstream.socket.destroy();
        return this.relayUnavailable(success, 'the connection cannot be relayed');
      }
      if (decision.kind === 'unavailable') return this.relayUnavailable(success, decision.reason);
      if (decision.kind === 'relay') {
        this.state = 'relayed';
        this.conn.log.info({ account: success.authzid, authcid: success.authcid, mechanism: success.mechanism }, 'pop login');
        // the upstream has logged in already; its own +OK was for the gateway, this one is the client's
        this.send(ok(`${success.authzid} logged in`));
        await relayConnection(this.conn, decision, success.authzid);
        return;
      }
    }
    this.state = 'transaction';
    this.conn.setLoggedIn();
    this.conn.log.info(
      { account: success.authzid, authcid: success.authcid, mechanism: success.mechanism },
      'pop login',
    );
    this.send(ok(`${success.authzid} has 0 messages (0 octets)`));
  }

  /**
   * The upstream cannot take the session: RFC 3206's temporary failure, so that the client tries
   * again later, and the session stays in AUTHORIZATION (nothing was opened).
   */
  private relayUnavailable(success: AuthSuccess, reason: string): void {
    this.conn.log.warn({ account: success.authzid, reason }, 'pop relay unavailable');
    this.send(err('mail server temporarily unavailable, try again later', 'SYS/TEMP'));
  }

  // --- TRANSACTION (the built-in maildrop is empty) -------------------------------------------

  private transaction(cmd: PopCommand): void | Promise<void> {
    const [first, second] = cmd.args;
    switch (cmd.name) {
      case 'STAT':
        return this.send(ok('0 0'));
      case 'LIST':
      case 'UIDL':
        if (cmd.args.length === 0) return this.send(multiLine('0 messages (0 octets)', []));
        return this.noSuchMessage(cmd.args.length === 1 && parseMessageNumber(first) !== undefined);
      case 'RETR':
      case 'DELE':
        return this.noSuchMessage(cmd.args.length === 1 && parseMessageNumber(first) !== undefined);
      case 'TOP':
        return this.noSuchMessage(
          cmd.args.length === 2 && parseMessageNumber(first) !== undefined && parseNonNegative(second) !== undefined,
        );
      case 'NOOP':
        return this.send(ok());
      case 'RSET':
        return this.send(ok('maildrop has 0 messages (0 octets)'));
      case 'CAPA':
        return this.capa();
      case 'QUIT':
        return this.quit();
      default:
        return this.bad(err(AUTHORIZATION_ONLY.has(cmd.name) ? 'already logged in' : 'unknown command'));
    }
  }

  private noSuchMessage(wellFormed: boolean): void {
    if (wellFormed) this.send(err('no such message'));
    else this.bad(err('invalid message number'));
  }

  // --- ending ---------------------------------------------------------------------------------

  private quit(): void {
    // UPDATE: nothing is marked for deletion in the built-in maildrop, so there is nothing to do
    this.state = this.state === 'transaction' ? 'update' : 'closed';
    this.send(ok(`${this.options.serverName} POP3 server signing off`));
  }

  /** A bad command: answered, counted, and one too many closes the connection. */
  private bad(reply: string): void {
    this.badCommands += 1;
    if (this.badCommands > this.maxBadCommands) {
      this.send(err('too many bad commands'));
      this.state = 'closed';
      return;
    }
    this.send(reply);
  }

  private send(data: string): void {
    if (!this.conn.closed) this.conn.write(data);
  }

  private freshInfo(): ConnectionInfo {
    return connectionInfo(this.conn, 'pop', this.options.serverName);
  }
}
