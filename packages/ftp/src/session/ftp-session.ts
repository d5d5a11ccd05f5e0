/**
 * One FTP control connection as a state machine (RFC 959, with RFC 4217 security):
 *
 *   LOGIN --(USER, PASS succeeds)--> READY --(QUIT, too many bad commands, fatal error)--> CLOSED
 *     |  ^                             |
 *     |  +--(AUTH TLS: TLS, then LOGIN again)
 *     +--(QUIT, refused client address)-------------------------------------------------> CLOSED
 *
 * In READY every path is a virtual path inside the account's own storage. Data connections are
 * passive only (PASV, EPSV); a transfer runs while the control connection is still read, so that
 * ABOR can stop it.
 */
import path from 'node:path';
import type net from 'node:net';
import tls from 'node:tls';
import {
  connectionInfo,
  type ConnectionInfo,
  type LoginResult,
} from '@portcullis/auth-core';
import {
  ConnectionClosedError,
  TLS_MIN_VERSION,
  IdleTimeoutError,
  LineTooLongError,
  upgradeToTls,
  type Connection,
  type TlsMaterial,
} from '@portcullis/listener';
import {
  epsvReply,
  listable,
  listLine,
  mlsxLine,
  multiReply,
  parseCommand,
  parseOffset,
  pasvReply,
  quotePath,
  reply,
  resolveVirtual,
  timeVal,
  type CommandRejection,
  type FtpCommand,
} from '../codec/index.js';
import { PassiveChannel, PassiveUnavailableError } from '../data/passive-channel.js';
import { ConfinedStorage, StorageError, type WriteMode } from '../storage/confined-storage.js';
import { featureLines, IMPLEMENTED_COMMANDS } from './features.js';
import {
  DEFAULT_DATA_TIMEOUT_MS,
  DEFAULT_MAX_BAD_COMMANDS,
  DEFAULT_MAX_UPLOAD_BYTES,
  type FtpOptions,
} from './options.js';
import { receiveFile, sendBuffer, sendFile, TransferFailure } from './transfers.js';

export type FtpState = 'login' | 'ready' | 'closed';

const REJECTION_TEXT: Record<CommandRejection, string> = {
  empty: 'Empty command',
  nul: 'NUL bytes are not allowed',
  encoding: 'Command is not valid UTF-8',
  keyword: 'Syntax error, command unrecognized',
};

/** what may be used before login (RFC 4217 needs AUTH, PBSZ and PROT there) */
const BEFORE_LOGIN = new Set(['USER', 'PASS', 'AUTH', 'PBSZ', 'PROT', 'FEAT', 'SYST', 'NOOP', 'OPTS', 'HELP', 'QUIT', 'PORT', 'EPRT']);
const IMPLEMENTED = new Set(IMPLEMENTED_COMMANDS);
const TRANSFERS = new Set(['RETR', 'STOR', 'APPE', 'LIST', 'NLST', 'MLSD']);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Protected data connections are TLS 1.2: under TLS 1.3 the server's post-handshake session
 * tickets arrive together with a short listing's close_notify, and OpenSSL clients (Python's
 * ftplib among them) then fail their shutdown with "shutdown while in init".
 */
function dataSecureContext(material: TlsMaterial): tls.SecureContext {
  return tls.createSecureContext({
    cert: material.cert,
    key: material.key,
    ...(material.ca ? { ca: material.ca } : {}),
    minVersion: TLS_MIN_VERSION,
    maxVersion: 'TLSv1.2',
  });
}

type ReadResult = { ok: true; line: Buffer } | { ok: false; error: unknown };
type TransferOutcome = { kind: 'done' } | { kind: 'aborted' } | { kind: 'failed'; code: number; text: string };

export class FtpSession {
  private state: FtpState = 'login';
  private info: ConnectionInfo;
  private badCommands = 0;
  private readonly maxBadCommands: number;
  private readonly dataTimeoutMs: number;
  private pendingUser: string | undefined;
  private storage: ConfinedStorage | undefined;
  private account: string | undefined;
  private cwd = '/';
  private pbszDone = false;
  private protectData = false;
  private passive: PassiveChannel | undefined;
  private restOffset = 0;
  private renameFrom: string | undefined;
  /** a control-connection read started during a transfer, handed to the main loop afterwards */
  private pendingRead: Promise<Buffer> | undefined;
  private dataContext: tls.SecureContext | undefined;

  constructor(
    private readonly conn: Connection,
    private readonly options: FtpOptions,
  ) {
    this.maxBadCommands = options.maxBadCommands ?? DEFAULT_MAX_BAD_COMMANDS;
    this.dataTimeoutMs = options.dataTimeoutMs ?? DEFAULT_DATA_TIMEOUT_MS;
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
      if (!(e instanceof ConnectionClosedError)) {
        if (e instanceof IdleTimeoutError) {
          this.send(reply(421, 'Timeout, closing control connection'));
        } else {
          // the message only: an error object could carry request data
          this.conn.log.error({ error: e instanceof Error ? e.message : String(e) }, 'ftp session failed');
          this.send(reply(421, 'Internal server error, closing control connection'));
        }
      }
    } finally {
      this.passive?.close();
      this.state = 'closed';
    }
    if (!this.conn.closed) await this.conn.close();
  }

  // --- connection start and reading ------------------------------------------------------------

  private async open(): Promise<boolean> {
    const refusal = await this.options.authenticator.checkClientAddress(this.info);
    if (refusal) {
      this.conn.log.info({ code: refusal.code }, 'ftp connection refused');
      this.send(reply(421, refusal.message || 'Access denied'));
      return false;
    }
    this.send(reply(220, `${this.options.serverName} FTP server ready`));
    return true;
  }

  private nextLine(): Promise<Buffer> {
    const pending = this.pendingRead;
    this.pendingRead = undefined;
    return pending ?? this.conn.readLine();
  }

  /** Start (or join) a control read without consuming it; it settles with the line or the error. */
  private peekLine(): Promise<ReadResult> {
    if (!this.pendingRead) {
      this.pendingRead = this.conn.readLine();
      // observed below; this keeps an unobserved rejection from being reported meanwhile
      this.pendingRead.catch(() => undefined);
    }
    return this.pendingRead.then(
      (line): ReadResult => ({ ok: true, line }),
      (error: unknown): ReadResult => ({ ok: false, error }),
    );
  }

  private async readCommandLine(): Promise<Buffer | undefined> {
    try {
      return await this.nextLine();
    } catch (e) {
      if (!(e instanceof LineTooLongError)) throw e;
      this.bad(reply(500, 'Line too long'));
      return undefined;
    }
  }

  private async dispatch(line: Buffer): Promise<void> {
    const parsed = parseCommand(line);
    const renameFrom = this.renameFrom;
    this.renameFrom = undefined;
    // REST holds until the next transfer; clients send PASV/EPSV or TYPE between the two
    const restOffset = this.restOffset;
    if (parsed.ok && TRANSFERS.has(parsed.name)) this.restOffset = 0;
    if (!parsed.ok) return this.bad(reply(500, REJECTION_TEXT[parsed.reason]));
    // the keyword only: PASS carries a password, and paths are the user's business
    this.conn.log.debug({ command: parsed.name }, 'ftp command');
    if (this.state === 'login' && !BEFORE_LOGIN.has(parsed.name)) {
      if (IMPLEMENTED.has(parsed.name)) return this.send(reply(530, 'Please login with USER and PASS'));
      return this.bad(reply(502, 'Command not implemented'));
    }
    try {
      await this.command(parsed, { renameFrom, restOffset });
    } catch (e) {
      if (!(e instanceof StorageError)) throw e;
      this.send(reply(550, e.message));
    }
  }

  private async command(cmd: FtpCommand, carried: { renameFrom: string | undefined; restOffset: number }): Promise<void> {
    const arg = cmd.arg;
    switch (cmd.name) {
      // access control and security
      case 'USER':
        return this.user(arg);
      case 'PASS':
        return this.pass(arg ?? '');
      case 'AUTH':
        return this.authTls(arg);
      case 'PBSZ':
        return this.pbsz(arg);
      case 'PROT':
        return this.prot(arg);
      case 'QUIT':
        this.send(reply(221, 'Goodbye'));
        this.state = 'closed';
        return;
      // information
      case 'FEAT':
        return this.send(multiReply(211, 'Features:', featureLines({ tlsAvailable: this.tlsAvailable() }), 'End'));
      case 'SYST':
        return this.send(reply(215, 'UNIX Type: L8'));
      case 'NOOP':
        return this.send(reply(200, 'NOOP ok'));
      case 'HELP':
        return this.send(multiReply(214, 'The following commands are recognized:', [IMPLEMENTED_COMMANDS.join(' ')], 'Help OK'));
      case 'OPTS':
        return this.opts(arg);
      case 'STAT':
        if (arg !== undefined) return this.send(reply(502, 'STAT with an argument is not implemented'));
        return this.send(multiReply(211, `${this.options.serverName} FTP server status:`, [`Logged in as ${this.account ?? '(nobody)'}`, `TLS on control: ${this.conn.secure ? 'yes' : 'no'}, data protection: ${this.protectData ? 'private' : 'clear'}`], 'End of status'));
      // transfer parameters
      case 'TYPE':
        return this.type(arg);
      case 'MODE':
        return this.send(arg?.toUpperCase() === 'S' ? reply(200, 'Mode set to S') : reply(504, 'Only stream mode is supported'));
      case 'STRU':
        return this.send(arg?.toUpperCase() === 'F' ? reply(200, 'Structure set to F') : reply(504, 'Only file structure is supported'));
      case 'ALLO':
        return this.send(reply(202, 'No storage allocation necessary'));
      case 'REST':
        return this.rest(arg);
      case 'PASV':
        return this.pasv();
      case 'EPSV':
        return this.epsv(arg);
      case 'PORT':
      case 'EPRT':
        return this.send(reply(502, 'Active mode is not supported; use PASV or EPSV'));
      case 'ABOR':
        this.passive?.close();
        this.passive = undefined;
        return this.send(reply(225, 'No transfer to abort'));
      // navigation
      case 'PWD':
      case 'XPWD':
        return this.send(reply(257, `${quotePath(this.cwd)} is the current directory`));
      case 'CWD':
      case 'XCWD':
        return this.cwdTo(arg);
      case 'CDUP':
      case 'XCUP':
        return this.cwdTo('..');
      // files
      case 'LIST':
      case 'NLST':
        return this.list(cmd.name, arg);
      case 'MLSD':
        return this.mlsd(arg);
      case 'MLST':
        return this.mlst(arg);
      case 'SIZE':
        return this.size(arg);
      case 'MDTM':
        return this.mdtm(arg);
      case 'RETR':
        return this.retr(arg, carried.restOffset);
      case 'STOR':
        return this.store(arg, carried.restOffset > 0 ? { kind: 'offset', offset: carried.restOffset } : { kind: 'truncate' });
      case 'APPE':
        return this.store(arg, { kind: 'append' });
      case 'DELE':
        if (!arg) return this.syntax('DELE file');
        await this.files().remove(this.path(arg));
        return this.send(reply(250, 'File deleted'));
      case 'MKD':
      case 'XMKD': {
        if (!arg) return this.syntax('MKD directory');
        const dir = this.path(arg);
        await this.files().makeDirectory(dir);
        return this.send(reply(257, `${quotePath(dir)} created`));
      }
      case 'RMD':
      case 'XRMD':
        if (!arg) return this.syntax('RMD directory');
        await this.files().removeDirectory(this.path(arg));
        return this.send(reply(250, 'Directory removed'));
      case 'RNFR': {
        if (!arg) return this.syntax('RNFR name');
        const from = this.path(arg);
        await this.files().stat(from);
        this.renameFrom = from;
        return this.send(reply(350, 'Ready for RNTO'));
      }
      case 'RNTO':
        if (carried.renameFrom === undefined) return this.bad(reply(503, 'RNFR first'));
        if (!arg) return this.syntax('RNTO name');
        await this.files().rename(carried.renameFrom, this.path(arg));
        return this.send(reply(250, 'Rename successful'));
      default:
        return this.bad(reply(502, 'Command not implemented'));
    }
  }

  // --- login and security --------------------------------------------------------------------

  private user(name: string | undefined): void {
    if (this.state !== 'login') return this.bad(reply(503, 'Already logged in'));
    if (!name || name.includes(' ')) return this.syntax('USER name');
    this.pendingUser = name;
    this.send(reply(331, 'Password required'));
  }

  private async pass(password: string): Promise<void> {
    const user = this.pendingUser;
    this.pendingUser = undefined;
    if (this.state !== 'login') return this.bad(reply(503, 'Already logged in'));
    if (user === undefined) return this.bad(reply(503, 'Login with USER first'));
    const result: LoginResult = await this.options.authenticator.loginPlaintext(user, password, this.info);
    if (!result.ok) {
      this.conn.log.info({ user, code: result.failure.code }, 'ftp login failed');
      if (result.failure.code === 'client-address') {
        this.send(reply(421, result.failure.message || 'Access denied'));
        this.state = 'closed';
        return;
      }
      return this.send(reply(530, result.failure.message || 'Login incorrect'));
    }
    const { account } = result.success;
    // the account name and domain are canonical (auth-core refuses '/', '\\', '.' and '..')
    this.storage = await ConfinedStorage.open(path.join(this.options.filesRoot, account.domain, account.name));
    this.account = result.success.authzid;
    this.state = 'ready';
    this.cwd = '/';
    this.conn.setLoggedIn();
    this.conn.log.info({ account: result.success.authzid, authcid: result.success.authcid, secure: this.conn.secure }, 'ftp login');
    this.send(reply(230, 'Login successful'));
  }

  private tlsAvailable(): boolean {
    return this.conn.secure || this.conn.canStartTls;
  }

  private async authTls(arg: string | undefined): Promise<void> {
    const mech = arg?.toUpperCase();
    if (mech !== 'TLS' && mech !== 'TLS-C' && mech !== 'SSL') return this.send(reply(504, 'Only AUTH TLS is supported'));
    if (this.conn.secure) return this.send(reply(503, 'TLS is already active'));
    if (!this.conn.canStartTls) return this.send(reply(431, 'TLS is not available on this listener'));
    if (this.state !== 'login') return this.send(reply(503, 'AUTH TLS must come before login'));
    this.send(reply(234, 'AUTH TLS successful'));
    try {
      await this.conn.startTls();
    } catch (e) {
      if (e instanceof ConnectionClosedError) throw e;
      this.state = 'closed';
      return;
    }
    // RFC 4217 section 4: a new security exchange starts the login over
    this.pendingUser = undefined;
    this.pbszDone = false;
    this.protectData = false;
    this.info = this.freshInfo();
  }

  private pbsz(arg: string | undefined): void {
    if (!this.conn.secure) return this.send(reply(503, 'PBSZ needs a TLS connection (AUTH TLS first)'));
    if (arg === undefined || !/^[0-9]{1,10}$/.test(arg)) return this.syntax('PBSZ 0');
    this.pbszDone = true;
    this.send(reply(200, 'PBSZ=0'));
  }

  private prot(arg: string | undefined): void {
    if (!this.conn.secure) return this.send(reply(503, 'PROT needs a TLS connection (AUTH TLS first)'));
    // implicit FTPS clients often skip PBSZ; it is a no-op for TLS anyway (RFC 4217 section 9)
    this.pbszDone = true;
    switch (arg?.toUpperCase()) {
      case 'C':
        this.protectData = false;
        return this.send(reply(200, 'Protection level set to Clear'));
      case 'P':
        if (!this.options.tls) return this.send(reply(534, 'Data protection is not available'));
        this.protectData = true;
        return this.send(reply(200, 'Protection level set to Private'));
      case 'S':
      case 'E':
        return this.send(reply(536, 'Only PROT C and PROT P are supported'));
      default:
        return this.syntax('PROT C|P');
    }
  }

  private opts(arg: string | undefined): void {
    const words = (arg ?? '').trim().toUpperCase().split(/\s+/);
    if (words[0] === 'UTF8' || words[0] === 'UTF-8') {
      return this.send(words[1] === 'OFF' ? reply(504, 'UTF-8 is always on') : reply(200, 'UTF-8 is always on'));
    }
    if (words[0] === 'MLST') return this.send(reply(200, 'MLST OPTS type;size;modify;perm;'));
    this.send(reply(501, 'Option not understood'));
  }

  // --- transfer parameters and passive mode --------------------------------------------------

  private type(arg: string | undefined): void {
    const t = (arg ?? '').toUpperCase().replace(/\s+/g, ' ').trim();
    // ASCII is accepted and served as binary: line ends are left alone, as most servers do now
    if (t === 'I' || t === 'L 8') return this.send(reply(200, 'Type set to I'));
    if (t === 'A' || t === 'A N') return this.send(reply(200, 'Type set to A'));
    this.send(reply(504, 'Only TYPE A and I are supported'));
  }

  private rest(arg: string | undefined): void {
    const offset = parseOffset(arg);
    if (offset === undefined) return this.syntax('REST offset');
    this.restOffset = offset;
    this.send(reply(350, `Restarting at ${offset}`));
  }

  private async openPassive(): Promise<PassiveChannel | undefined> {
    this.passive?.close();
    this.passive = undefined;
    try {
      this.passive = await PassiveChannel.open({
        bindAddress: this.options.passive?.bindAddress ?? '127.0.0.1',
        ...(this.options.passive?.ports ? { ports: this.options.passive.ports } : {}),
        acceptTimeoutMs: this.dataTimeoutMs,
      });
      return this.passive;
    } catch (e) {
      if (!(e instanceof PassiveUnavailableError)) {
        this.conn.log.warn({ error: e instanceof Error ? e.message : String(e) }, 'ftp passive listen failed');
      }
      this.send(reply(425, 'Cannot open a passive data port'));
      return undefined;
    }
  }

  private async pasv(): Promise<void> {
    const address = this.options.passive?.advertisedAddress ?? this.conn.localAddress;
    if (!IPV4.test(address)) return this.send(reply(425, 'PASV needs IPv4; use EPSV'));
    const channel = await this.openPassive();
    if (channel) this.send(pasvReply(address, channel.port));
  }

  private async epsv(arg: string | undefined): Promise<void> {
    if (arg?.toUpperCase() === 'ALL') return this.send(reply(200, 'EPSV ALL accepted'));
    if (arg !== undefined && arg !== '1' && arg !== '2') return this.send(reply(522, 'Network protocol not supported, use (1,2)'));
    const channel = await this.openPassive();
    if (channel) this.send(epsvReply(channel.port));
  }

  // --- navigation and listings ---------------------------------------------------------------

  private files(): ConfinedStorage {
    if (!this.storage) throw new StorageError('denied', 'Not logged in');
    return this.storage;
  }

  private path(arg: string | undefined): string {
    return resolveVirtual(this.cwd, arg);
  }

  private syntax(usage: string): void {
    this.bad(reply(501, `Syntax: ${usage}`));
  }

  private async cwdTo(arg: string | undefined): Promise<void> {
    const target = this.path(arg ?? '/');
    if (!(await this.files().isDirectory(target))) return this.send(reply(550, 'No such directory'));
    this.cwd = target;
    this.send(reply(250, `Directory changed to ${target}`));
  }

  private async list(kind: 'LIST' | 'NLST', arg: string | undefined): Promise<void> {
    // `ls` options some clients send (LIST -la) are not part of the path
    const words = (arg ?? '').split(' ');
    while (words.length > 0 && /^-[A-Za-z]*$/.test(words[0] ?? '')) words.shift();
    const target = this.path(words.join(' '));
    const facts = await this.files().stat(target);
    const entries = facts.type === 'dir' ? await this.files().list(target) : [facts];
    const lines = entries.filter((e) => listable(e.name)).map((e) => (kind === 'LIST' ? listLine(e) : e.name));
    await this.transfer('Here comes the directory listing', (data) => sendBuffer(data, textBody(lines), this.dataTimeoutMs));
  }

  private async mlsd(arg: string | undefined): Promise<void> {
    const target = this.path(arg);
    if (!(await this.files().isDirectory(target))) return this.send(reply(501, 'Not a directory'));
    const entries = (await this.files().list(target)).filter((e) => listable(e.name));
    const self = await this.files().stat(target);
    const lines = [mlsxLine({ ...self, name: '.' }, true), ...entries.map((e) => mlsxLine(e))];
    await this.transfer('Here comes the directory listing', (data) => sendBuffer(data, textBody(lines), this.dataTimeoutMs));
  }

  private async mlst(arg: string | undefined): Promise<void> {
    const target = this.path(arg);
    const facts = await this.files().stat(target);
    this.send(multiReply(250, `Listing ${target}`, [mlsxLine({ ...facts, name: target })], 'End'));
  }

  private async size(arg: string | undefined): Promise<void> {
    if (!arg) return this.syntax('SIZE file');
    const facts = await this.files().stat(this.path(arg));
    if (facts.type !== 'file') return this.send(reply(550, 'Not a regular file'));
    this.send(reply(213, String(facts.size)));
  }

  private async mdtm(arg: string | undefined): Promise<void> {
    if (!arg) return this.syntax('MDTM file');
    const facts = await this.files().stat(this.path(arg));
    if (facts.type !== 'file') return this.send(reply(550, 'Not a regular file'));
    this.send(reply(213, timeVal(facts.mtime)));
  }

  // --- file transfers ------------------------------------------------------------------------

  private async retr(arg: string | undefined, offset: number): Promise<void> {
    if (!arg) return this.syntax('RETR file');
    if (!this.passive) return this.send(reply(425, 'Use PASV or EPSV first'));
    const handle = await this.files().openRead(this.path(arg));
    let started = false;
    try {
      await this.transfer('Opening data connection', (data) => {
        started = true;
        return sendFile(data, handle, offset, this.dataTimeoutMs);
      });
    } finally {
      if (!started) await handle.close();
    }
  }

  private async store(arg: string | undefined, mode: WriteMode): Promise<void> {
    if (!arg) return this.syntax(`STOR file`);
    if (!this.passive) return this.send(reply(425, 'Use PASV or EPSV first'));
    const target = this.path(arg);
    const { handle, size, created } = await this.files().openWrite(target, mode);
    const limit = this.options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
    let started = false;
    try {
      await this.transfer(
        'Ok to send data',
        (data) => {
          started = true;
          return receiveFile(data, handle, mode.kind === 'offset' ? mode.offset : undefined, limit, this.dataTimeoutMs);
        },
        // before the final reply, so a client that sees 552 never finds the refused upload
        async (outcome) => {
          if (!started) await handle.close();
          started = true;
          if (outcome.kind !== 'done' && mode.kind !== 'offset') await this.files().restore(target, created, size);
          if (outcome.kind === 'done') this.conn.log.info({ account: this.account }, 'ftp upload');
        },
      );
    } finally {
      if (!started) await handle.close();
    }
  }

  private secureContext(): tls.SecureContext {
    if (!this.options.tls) throw new Error('no TLS material for protected data connections');
    this.dataContext ??= dataSecureContext(this.options.tls);
    return this.dataContext;
  }

  /**
   * Run one transfer over the passive data connection: 150 first (clients start TLS on the data
   * connection only after it), then the work while ABOR is watched for, then the final reply.
   */
  private async transfer(
    opening: string,
    work: (data: net.Socket) => Promise<void>,
    beforeReply?: (outcome: TransferOutcome) => Promise<void>,
  ): Promise<TransferOutcome> {
    const channel = this.passive;
    this.passive = undefined;
    if (!channel) {
      await beforeReply?.({ kind: 'failed', code: 425, text: 'no data connection' });
      this.send(reply(425, 'Use PASV or EPSV first'));
      return { kind: 'failed', code: 425, text: 'no data connection' };
    }
    this.send(reply(150, opening));
    let data: net.Socket;
    try {
      const raw = await channel.accept();
      raw.setTimeout(this.dataTimeoutMs, () => raw.destroy());
      data = this.protectData ? await upgradeToTls(raw, this.secureContext(), this.dataTimeoutMs) : raw;
      data.on('error', () => undefined);
    } catch {
      channel.close();
      await beforeReply?.({ kind: 'failed', code: 425, text: 'no data connection' });
      this.send(reply(425, "Can't open data connection"));
      return { kind: 'failed', code: 425, text: 'no data connection' };
    }
    const outcome = await this.watchForAbort(data, work(data));
    data.destroy();
    await beforeReply?.(outcome);
    if (outcome.kind === 'done') this.send(reply(226, 'Transfer complete'));
    else if (outcome.kind === 'aborted') this.send(reply(426, 'Transfer aborted') + reply(226, 'ABOR successful'));
    else this.send(reply(outcome.code, outcome.text));
    return outcome;
  }

  private async watchForAbort(data: net.Socket, job: Promise<void>): Promise<TransferOutcome> {
    const settled = job.then(
      (): TransferOutcome => ({ kind: 'done' }),
      (e: unknown): TransferOutcome =>
        e instanceof TransferFailure
          ? { kind: 'failed', code: e.code, text: e.message }
          : { kind: 'failed', code: 426, text: 'Connection closed; transfer aborted' },
    );
    for (;;) {
      const first = await Promise.race([settled, this.peekLine()]);
      if ('kind' in first) return first;
      if (!first.ok && first.error instanceof IdleTimeoutError) {
        // the control connection is quiet while data flows: that is not idleness
        this.pendingRead = undefined;
        continue;
      }
      if (first.ok) {
        const cmd = parseCommand(first.line);
        if (cmd.ok && cmd.name === 'ABOR') {
          this.pendingRead = undefined;
          data.destroy();
          await settled;
          return { kind: 'aborted' };
        }
      } else {
        // the control connection is gone: stop the transfer; the main loop sees the error
        data.destroy();
      }
      // any other command waits for the transfer (the main loop reads it afterwards)
      return settled;
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  /** A bad command: answered, counted, and one too many closes the connection. */
  private bad(text: string): void {
    this.badCommands += 1;
    if (this.badCommands > this.maxBadCommands) {
      this.send(reply(421, 'Too many bad commands, closing control connection'));
      this.state = 'closed';
      return;
    }
    this.send(text);
  }

  private send(data: string): void {
    if (!this.conn.closed) this.conn.write(data);
  }

  private freshInfo(): ConnectionInfo {
    return connectionInfo(this.conn, 'ftp', this.options.serverName);
  }
}

function textBody(lines: readonly string[]): Buffer {
  return Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'utf8');
}
