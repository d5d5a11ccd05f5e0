/**
 * One PWD connection as a state machine (poppassd):
 *
 *   USER --(USER name)--> PASS --(PASS password succeeds)--> AUTHENTICATED --(NEWPASS)--> AUTHENTICATED
 *     ^                    |                                        |
 *     +---(PASS fails)-----+            QUIT, too many bad commands, fatal error --> CLOSED
 *
 * NEWPASS is only accepted once a USER/PASS (or AUTH) login has succeeded on this connection.
 */
import {
  addressOf,
  connectionInfo,
  parseLoginName,
  setAccountPassword,
  type AuthFailure,
  type AuthSuccess,
  type ConnectionInfo,
  type LoginResult,
} from '@portcullis/auth-core';
import { ConnectionClosedError, IdleTimeoutError, LineTooLongError, type Connection } from '@portcullis/listener';
import { err, ok, parseCommand, type CommandRejection, type PwdCommand } from '../codec/index.js';
import { DEFAULT_MAX_BAD_COMMANDS, type PwdOptions } from './options.js';

export type PwdState = 'user' | 'pass' | 'authenticated' | 'closed';

const REJECTION_TEXT: Record<CommandRejection, string> = {
  empty: 'empty command',
  nul: 'NUL bytes are not allowed',
  encoding: 'command is not valid UTF-8',
  keyword: 'unknown command',
};

/** the PWD greeting names the service the way poppassd clients expect to see it */
const SERVICE_TITLE = 'PWD server ready';

export class PwdSession {
  private state: PwdState = 'user';
  private info: ConnectionInfo;
  private badCommands = 0;
  private readonly maxBadCommands: number;
  private pendingUser: string | undefined;
  /** the login name as typed (with its $tag), and what auth-core made of it */
  private login: { name: string; success: AuthSuccess } | undefined;

  constructor(
    private readonly conn: Connection,
    private readonly options: PwdOptions,
  ) {
    this.maxBadCommands = options.maxBadCommands ?? DEFAULT_MAX_BAD_COMMANDS;
    this.info = this.freshInfo();
  }

  async run(): Promise<void> {
    try {
      if (await this.open()) {
        while (this.state !== 'closed') {
          const line = await this.readCommandLine();
          if (line) await this.dispatch(line);
        }
      }
    } catch (e) {
      if (e instanceof ConnectionClosedError) return;
      if (e instanceof IdleTimeoutError) {
        this.send(err('autologout'));
      } else {
        this.conn.log.error({ error: e instanceof Error ? e.message : String(e) }, 'pwd session failed');
        this.send(err('internal server error'));
      }
    }
    this.state = 'closed';
    if (!this.conn.closed) await this.conn.close();
  }

  private async open(): Promise<boolean> {
    const refusal = await this.options.authenticator.checkClientAddress(this.info);
    if (refusal) {
      this.conn.log.info({ code: refusal.code }, 'pwd connection refused');
      this.send(err(refusal.message || 'access denied'));
      return false;
    }
    const advertisement = await this.options.authenticator.advertise(this.info);
    const greeting = `${this.options.serverName} ${SERVICE_TITLE}`;
    const timestamp = advertisement.apop ? this.options.authenticator.apopTimestamp(this.info) : undefined;
    this.send(ok(timestamp ? `${greeting} ${timestamp}` : greeting));
    return true;
  }

  private async readCommandLine(): Promise<Buffer | undefined> {
    try {
      return await this.conn.readLine();
    } catch (e) {
      if (!(e instanceof LineTooLongError)) throw e;
      this.bad(err('line too long'));
      return undefined;
    }
  }

  private async dispatch(line: Buffer): Promise<void> {
    const parsed = parseCommand(line);
    if (!parsed.ok) return this.bad(err(REJECTION_TEXT[parsed.reason]));
    // the keyword only: PASS and NEWPASS carry passwords
    this.conn.log.debug({ command: parsed.name }, 'pwd command');
    switch (parsed.name) {
      case 'USER':
        return this.user(parsed);
      case 'PASS':
        return this.pass(parsed);
      case 'NEWPASS':
        return this.newpass(parsed);
      case 'AUTH':
        return this.auth(parsed);
      case 'STLS':
        return this.stls(parsed);
      case 'QUIT':
        this.send(ok('Bye.'));
        this.state = 'closed';
        return;
      default:
        return this.bad(err('unknown command'));
    }
  }

  private user(cmd: PwdCommand): void {
    if (this.state === 'authenticated') return this.bad(err('already logged in'));
    if (cmd.args.length !== 1) return this.bad(err('usage: USER name'));
    this.pendingUser = cmd.args[0];
    this.state = 'pass';
    this.send(ok('Your password please.'));
  }

  private async pass(cmd: PwdCommand): Promise<void> {
    const user = this.pendingUser;
    if (this.state !== 'pass' || user === undefined) return this.bad(err('USER first'));
    if (cmd.rest === undefined) return this.bad(err('usage: PASS password'));
    const result = await this.options.authenticator.loginPlaintext(user, cmd.rest, this.info);
    this.finishLogin(user, 'USER', result);
  }

  /**
   * `AUTH SESSIONID user id`. The one place the session-ID login plugs in: until it is supplied,
   * every AUTH is "unsupported".
   */
  private async auth(cmd: PwdCommand): Promise<void> {
    if (this.state === 'authenticated') return this.bad(err('already logged in'));
    const [method, user, id] = cmd.args;
    if (method === undefined) return this.bad(err('usage: AUTH method ...'));
    const login = this.options.sessionIdLogin;
    if (method.toUpperCase() !== 'SESSIONID' || !login) return this.send(err('unsupported'));
    if (cmd.args.length !== 3 || user === undefined || id === undefined) {
      return this.bad(err('usage: AUTH SESSIONID user id'));
    }
    this.finishLogin(user, 'SESSIONID', await login(user, id, this.info));
  }

  private finishLogin(user: string, method: string, result: LoginResult): void {
    this.pendingUser = undefined;
    if (!result.ok) {
      this.logFailure(user, method, result.failure);
      this.send(err(result.failure.message || 'authentication failed'));
      this.state = result.failure.code === 'client-address' ? 'closed' : 'user';
      return;
    }
    this.login = { name: user, success: result.success };
    this.state = 'authenticated';
    this.conn.setLoggedIn();
    this.conn.log.info({ account: result.success.authzid, mechanism: result.success.mechanism }, 'pwd login');
    this.send(ok('Your new password please.'));
  }

  private logFailure(user: string, method: string, failure: AuthFailure): void {
    this.conn.log.info({ user, method, code: failure.code }, 'pwd login failed');
  }

  private async newpass(cmd: PwdCommand): Promise<void> {
    const login = this.login;
    if (this.state !== 'authenticated' || !login) return this.bad(err('log in with USER and PASS first'));
    const password = cmd.rest ?? '';
    if (password.length === 0) return this.send(err('the new password must not be empty'));
    // a login with user$tag changes that tag password, never the account's own one
    const tag = parseLoginName(login.name)?.tag;
    const account = login.success.account;
    const target = tag === undefined ? addressOf(account) : `${account.name}$${tag}@${account.domain}`;
    try {
      await setAccountPassword(this.options.directory, target, password);
    } catch (e) {
      this.conn.log.warn({ account: addressOf(account), error: e instanceof Error ? e.message : String(e) }, 'pwd password change failed');
      return this.send(err('the password could not be changed'));
    }
    this.conn.log.info({ account: addressOf(account), tag }, 'pwd password changed');
    this.send(ok('Password changed, thank-you.'));
  }

  private async stls(cmd: PwdCommand): Promise<void> {
    if (cmd.args.length !== 0) return this.bad(err('usage: STLS'));
    if (this.conn.secure) return this.send(err('TLS is already active'));
    if (!this.conn.canStartTls) return this.send(err('STLS is not available'));
    if (this.state === 'authenticated') return this.send(err('already logged in'));
    this.send(ok('Begin TLS negotiation'));
    try {
      await this.conn.startTls();
    } catch (e) {
      if (e instanceof ConnectionClosedError) throw e;
      this.state = 'closed';
      return;
    }
    // a USER given in the clear does not carry over the upgrade
    this.pendingUser = undefined;
    this.state = 'user';
    this.info = this.freshInfo();
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
    return connectionInfo(this.conn, 'pwd', this.options.serverName);
  }
}
