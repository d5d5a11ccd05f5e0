/**
 * One SMTP submission connection (RFC 5321, RFC 6409) as a state machine:
 *
 *   GREETED --EHLO/HELO--> READY --AUTH ok--> AUTHENTICATED --MAIL--> MAIL --RCPT--> RCPT --DATA--> (message)
 *                            ^ STARTTLS resets to GREETED (RFC 3207)          RSET / end of DATA --+
 *
 * Mail is accepted only after AUTH (MAIL first gets 530 5.7.0). `phase` below is that chain; the
 * transaction's envelope lives in `transaction`. QUIT, too many bad commands, an idle timeout or
 * a broken connection end it.
 */
import { randomBytes } from 'node:crypto';
import {
  connectionInfo,
  type AuthSuccess,
  type Authenticator,
  type ConnectionInfo,
} from '@portcullis/auth-core';
import { ConnectionClosedError, IdleTimeoutError, LineTooLongError, type Connection } from '@portcullis/listener';
import { decodeInitialResponse, runSaslDialog, type DialogAbort } from '@portcullis/line-protocol';
import { askRelay, canTakeOver, recordCleartext, relayClientOf, relayConnection } from '@portcullis/relay';
import {
  DataDecoder,
  parseCommand,
  parsePathArgument,
  parseSize,
  receivedHeader,
  reply,
  saslChallenge,
  type CommandRejection,
  type SmtpCommand,
} from '../codec/index.js';
import { DeliveryError, type Envelope, type MessageWriter } from '../delivery/sink.js';
import { ehloKeywords } from './ehlo.js';
import { failureReply } from './failure-replies.js';
import {
  DATA_CHUNK,
  DEFAULT_MAX_BAD_COMMANDS,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_MAX_RECIPIENTS,
  MAX_COMMAND_LINE,
  type SmtpOptions,
} from './options.js';

export type SmtpPhase = 'greeted' | 'ready' | 'authenticated' | 'closed';

interface Transaction {
  from: string;
  to: string[];
  body: '7BIT' | '8BITMIME';
  smtputf8: boolean;
}

const REJECTION_TEXT: Record<CommandRejection, [number, string, string]> = {
  empty: [500, '5.5.2', 'empty command'],
  nul: [500, '5.5.2', 'NUL bytes are not allowed'],
  encoding: [500, '5.5.2', 'command is not valid UTF-8'],
  verb: [500, '5.5.1', 'command not recognized'],
};

const DIALOG_ABORT: Record<DialogAbort, [number, string, string]> = {
  // RFC 4954 section 4: 500 5.5.6 for an over-long exchange line
  'line-too-long': [500, '5.5.6', 'authentication exchange line is too long'],
  'malformed-base64': [501, '5.5.2', 'cannot decode the response'],
  'expected-empty': [501, '5.5.2', 'expected an empty response'],
  'too-many-rounds': [501, '5.7.0', 'too many authentication steps'],
};

const KNOWN_VERBS = new Set([
  'EHLO', 'HELO', 'STARTTLS', 'AUTH', 'MAIL', 'RCPT', 'DATA', 'RSET', 'NOOP', 'QUIT', 'VRFY', 'EXPN', 'HELP',
]);

/** a queue id: time first so that a listing sorts by arrival, then randomness */
function newQueueId(): string {
  return `${Date.now().toString(16).toUpperCase()}${randomBytes(5).toString('hex').toUpperCase()}`;
}

export class SmtpSession {
  private phase: SmtpPhase = 'greeted';
  private info: ConnectionInfo;
  private helo = '';
  private esmtp = false;
  private login: AuthSuccess | undefined;
  private transaction: Transaction | undefined;
  private badCommands = 0;
  private readonly auth: Authenticator;
  private readonly maxMessageSize: number;
  private readonly maxRecipients: number;
  private readonly maxBadCommands: number;
  /** a message being received, so that an abrupt end can remove it */
  private writer: MessageWriter | undefined;

  constructor(
    private readonly conn: Connection,
    private readonly options: SmtpOptions,
  ) {
    this.auth = options.authenticator;
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.maxRecipients = options.maxRecipients ?? DEFAULT_MAX_RECIPIENTS;
    this.maxBadCommands = options.maxBadCommands ?? DEFAULT_MAX_BAD_COMMANDS;
    this.info = this.freshInfo();
  }

  async run(): Promise<void> {
    try {
      // no client-address check here: SMTP refuses only AUTH to non-client addresses
      this.send(reply(220, `${this.options.serverName} ESMTP Portcullis`));
      while (this.phase !== 'closed') {
        const line = await this.readCommandLine();
        if (line) await this.dispatch(line);
      }
    } catch (e) {
      await this.dropMessage();
      if (e instanceof ConnectionClosedError) return;
      if (e instanceof IdleTimeoutError) {
        this.send(reply(421, `${this.options.serverName} idle timeout, closing connection`, '4.4.2'));
      } else {
        // the message only: an error object could carry request data
        this.conn.log.error({ error: e instanceof Error ? e.message : String(e) }, 'smtp session failed');
        this.send(reply(421, `${this.options.serverName} internal server error, closing connection`, '4.3.0'));
      }
    }
    this.phase = 'closed';
    if (!this.conn.closed) await this.conn.close();
  }

  private async readCommandLine(): Promise<Buffer | undefined> {
    try {
      return await this.conn.readLine({ maxLength: MAX_COMMAND_LINE });
    } catch (e) {
      if (!(e instanceof LineTooLongError)) throw e;
      this.bad(500, '5.5.2', 'line too long');
      return undefined;
    }
  }

  private async dispatch(line: Buffer): Promise<void> {
    const parsed = parseCommand(line);
    if (!parsed.ok) {
      const [code, enhanced, text] = REJECTION_TEXT[parsed.reason];
      return this.bad(code, enhanced, text);
    }
    // the verb only: AUTH lines carry credentials, and addresses are personal data
    this.conn.log.debug({ command: parsed.verb }, 'smtp command');
    switch (parsed.verb) {
      case 'EHLO':
      case 'HELO':
        return this.hello(parsed);
      case 'STARTTLS':
        return this.startTls(parsed);
      case 'AUTH':
        return this.authenticate(parsed);
      case 'MAIL':
        return this.mail(parsed);
      case 'RCPT':
        return this.rcpt(parsed);
      case 'DATA':
        return this.data(parsed);
      case 'RSET':
        if (parsed.arg !== '') return this.bad(501, '5.5.4', 'usage: RSET');
        this.transaction = undefined;
        return this.send(reply(250, 'reset', '2.0.0'));
      case 'NOOP':
        return this.send(reply(250, 'OK', '2.0.0'));
      case 'VRFY':
        if (parsed.arg === '') return this.bad(501, '5.5.4', 'usage: VRFY address');
        return this.send(reply(252, 'cannot verify the user, but will accept the message and try delivery', '2.5.0'));
      case 'EXPN':
        return this.send(reply(502, 'EXPN is not available', '5.5.1'));
      case 'HELP':
        return this.send(reply(214, 'see RFC 5321 and RFC 4954', '2.0.0'));
      case 'QUIT':
        this.send(reply(221, `${this.options.serverName} closing connection`, '2.0.0'));
        this.phase = 'closed';
        return;
      default:
        return this.bad(500, '5.5.1', KNOWN_VERBS.has(parsed.verb) ? 'command not available' : 'command not recognized');
    }
  }

  // --- EHLO / HELO / STARTTLS -------------------------------------------------------------------

  private async hello(cmd: SmtpCommand): Promise<void> {
    const name = cmd.arg.trim();
    if (name === '' || name.includes(' ')) return this.bad(501, '5.5.4', `usage: ${cmd.verb} hostname`);
    this.helo = name;
    this.esmtp = cmd.verb === 'EHLO';
    this.transaction = undefined;
    if (this.phase === 'greeted') this.phase = 'ready';
    if (!this.esmtp) return this.send(reply(250, this.options.serverName));
    const advertisement = this.login ? null : await this.auth.advertise(this.info);
    const keywords = ehloKeywords({
      advertisement,
      canStartTls: this.conn.canStartTls && !this.conn.secure,
      maxMessageSize: this.maxMessageSize,
    });
    this.send(reply(250, [`${this.options.serverName} Hello ${this.conn.remoteAddress}`, ...keywords]));
  }

  private async startTls(cmd: SmtpCommand): Promise<void> {
    if (cmd.arg !== '') return this.bad(501, '5.5.4', 'usage: STARTTLS');
    if (this.conn.secure) return this.bad(503, '5.5.1', 'TLS is already active');
    if (this.login) return this.bad(503, '5.5.1', 'STARTTLS is not allowed after AUTH');
    if (!this.conn.canStartTls) return this.bad(502, '5.5.1', 'STARTTLS is not available');
    this.send(reply(220, 'ready to start TLS', '2.0.0'));
    try {
      await this.conn.startTls();
    } catch (e) {
      if (e instanceof ConnectionClosedError) throw e;
      this.conn.log.info({ error: e instanceof Error ? e.message : String(e) }, 'smtp STARTTLS handshake failed');
      this.phase = 'closed';
      return;
    }
    // RFC 3207 section 4.2: forget everything learnt before TLS, the client starts over with EHLO
    this.phase = 'greeted';
    this.helo = '';
    this.esmtp = false;
    this.transaction = undefined;
    this.info = this.freshInfo();
  }

  // --- AUTH (RFC 4954) --------------------------------------------------------------------------

  private async authenticate(cmd: SmtpCommand): Promise<void> {
    if (this.phase === 'greeted') return this.bad(503, '5.5.1', 'send EHLO first');
    if (this.login) return this.bad(503, '5.5.1', 'already authenticated');
    if (this.transaction) return this.bad(503, '5.5.1', 'AUTH is not allowed during a mail transaction');
    const args = cmd.arg.split(' ').filter((a) => a !== '');
    const [mechanismArg, initialArg] = args;
    if (mechanismArg === undefined || args.length > 2) return this.bad(501, '5.5.4', 'usage: AUTH mechanism [initial-response]');
    const mechanism = mechanismArg.toUpperCase();

    // loginsFromNonClients=prohibit: SMTP refuses AUTH (not the connection) to non-client addresses
    const refusal = await this.auth.checkClientAddress(this.info);
    if (refusal) {
      this.conn.log.info({ mechanism, code: refusal.code }, 'smtp AUTH refused');
      return this.send(failureReply(refusal));
    }

    let initial: Buffer | null = null;
    if (initialArg !== undefined) {
      initial = decodeInitialResponse(initialArg);
      if (!initial) return this.bad(501, '5.5.2', 'cannot decode the initial response');
    }
    const started = this.auth.startSasl(mechanism, this.info);
    if (!started) return this.bad(504, '5.5.4', 'unrecognized authentication mechanism');
    // passthrough relaying replays a PLAIN or LOGIN password, so the client's responses are kept
    const recorded = recordCleartext(started, this.options.relay !== undefined);
    const outcome = await runSaslDialog(this.conn, recorded.exchange, initial, { challengeLine: saslChallenge });
    if (outcome.kind === 'aborted') {
      const [code, enhanced, text] = DIALOG_ABORT[outcome.reason];
      return this.bad(code, enhanced, text);
    }
    if (outcome.kind === 'failure') {
      this.conn.log.info({ mechanism, code: outcome.failure.code }, 'smtp login failed');
      return this.send(failureReply(outcome.failure));
    }
    const { success } = outcome;
    if (this.options.relay) {
      const client = relayClientOf(this.conn, success, recorded.cleartext());
      const decision = await askRelay(this.options.relay, 'smtp', success, client);
      if (decision.kind === 'relay' && !canTakeOver(this.conn)) {
        decision.upstream.socket.destroy();
        return this.relayUnavailable(success.authzid, 'the connection cannot be relayed');
      }
      if (decision.kind === 'unavailable') return this.relayUnavailable(success.authzid, decision.reason);
      if (decision.kind === 'relay') {
        this.phase = 'closed';
        this.conn.log.info({ account: success.authzid, authcid: success.authcid, mechanism: success.mechanism }, 'smtp login');
        // the upstream session has had its EHLO and AUTH from the gateway: the client's MAIL FROM fits it
        this.send(reply(235, 'Authentication successful', '2.7.0'));
        await relayConnection(this.conn, decision, success.authzid);
        return;
      }
    }
    this.login = success;
    this.phase = 'authenticated';
    this.conn.setLoggedIn();
    this.conn.log.info({ account: success.authzid, authcid: success.authcid, mechanism: success.mechanism }, 'smtp login');
    this.send(reply(235, 'authentication successful', '2.7.0'));
  }

  /** the upstream cannot take the session: a temporary AUTH failure (RFC 4954), the session stays unauthenticated */
  private relayUnavailable(account: string, reason: string): void {
    this.conn.log.warn({ account, reason }, 'smtp relay unavailable');
    this.send(reply(454, 'Temporary authentication failure', '4.7.0'));
  }

  // --- MAIL / RCPT / DATA -----------------------------------------------------------------------

  private mail(cmd: SmtpCommand): void {
    if (this.phase === 'greeted') return this.bad(503, '5.5.1', 'send EHLO first');
    if (!this.login) return this.bad(530, '5.7.0', 'authentication required');
    if (this.transaction) return this.bad(503, '5.5.1', 'nested MAIL command');
    const path = parsePathArgument(cmd.arg, 'FROM', true);
    if (!path.ok) return this.pathError(path.reason, 'sender');
    let body: Transaction['body'] = '7BIT';
    let smtputf8 = false;
    for (const [key, value] of path.params) {
      if (!this.esmtp) return this.bad(555, '5.5.4', 'MAIL parameters need EHLO');
      switch (key) {
        case 'SIZE': {
          const size = parseSize(value);
          if (size === undefined) return this.bad(501, '5.5.4', 'bad SIZE value');
          if (size > this.maxMessageSize) {
            return this.send(reply(552, `message size exceeds the limit of ${this.maxMessageSize} bytes`, '5.3.4'));
          }
          break;
        }
        case 'BODY': {
          const kind = value?.toUpperCase();
          if (kind !== '7BIT' && kind !== '8BITMIME') return this.bad(555, '5.5.4', 'BODY must be 7BIT or 8BITMIME');
          body = kind;
          break;
        }
        case 'SMTPUTF8':
          if (value !== undefined) return this.bad(555, '5.5.4', 'SMTPUTF8 takes no value');
          smtputf8 = true;
          break;
        case 'AUTH':
          // RFC 4954 section 5: the submitter's identity; we record the authenticated one instead
          break;
        default:
          return this.bad(555, '5.5.4', `unsupported MAIL parameter ${key}`);
      }
    }
    if (path.utf8 && !smtputf8) return this.send(reply(553, 'non-ASCII address needs the SMTPUTF8 parameter', '5.6.7'));
    this.transaction = { from: path.address, to: [], body, smtputf8 };
    this.send(reply(250, 'sender OK', '2.1.0'));
  }

  private rcpt(cmd: SmtpCommand): void {
    const tx = this.transaction;
    if (!tx) return this.bad(503, '5.5.1', 'need MAIL first');
    const path = parsePathArgument(cmd.arg, 'TO', false);
    if (!path.ok) return this.pathError(path.reason, 'recipient');
    if (path.params.size > 0) return this.bad(555, '5.5.4', 'RCPT parameters are not supported');
    if (path.utf8 && !tx.smtputf8) return this.send(reply(553, 'non-ASCII address needs SMTPUTF8 on MAIL', '5.6.7'));
    // RFC 5321 4.5.3.1.8: 452 tells the client to send the rest in another transaction
    if (tx.to.length >= this.maxRecipients) return this.send(reply(452, 'too many recipients', '4.5.3'));
    tx.to.push(path.address);
    this.send(reply(250, 'recipient OK', '2.1.5'));
  }

  private pathError(reason: string, what: 'sender' | 'recipient'): void {
    const enhanced = what === 'sender' ? '5.1.7' : '5.1.3';
    if (reason === 'syntax') return this.bad(501, '5.5.4', `usage: ${what === 'sender' ? 'MAIL FROM:<address>' : 'RCPT TO:<address>'}`);
    if (reason === 'too-long') return this.bad(501, '5.5.4', 'path too long');
    if (reason === 'param') return this.bad(501, '5.5.4', 'malformed parameter');
    return this.bad(501, enhanced, `bad ${what} address syntax`);
  }

  private async data(cmd: SmtpCommand): Promise<void> {
    if (cmd.arg !== '') return this.bad(501, '5.5.4', 'usage: DATA');
    const tx = this.transaction;
    const login = this.login;
    if (!tx || !login) return this.bad(503, '5.5.1', login ? 'need MAIL first' : 'authentication required');
    if (tx.to.length === 0) return this.bad(503, '5.5.1', 'need RCPT first');
    const envelope: Envelope = {
      id: newQueueId(),
      from: tx.from,
      to: [...tx.to],
      account: login.authzid,
      authcid: login.authcid,
      clientAddress: this.conn.remoteAddress,
      helo: this.helo,
      body: tx.body,
      smtputf8: tx.smtputf8,
      receivedAt: new Date(),
    };
    this.transaction = undefined;
    try {
      this.writer = await this.options.sink.open(envelope);
    } catch (e) {
      this.conn.log.error({ error: e instanceof Error ? e.message : String(e) }, 'smtp spool not writable');
      return this.send(reply(451, 'cannot accept messages now, try again later', '4.3.0'));
    }
    const writer = this.writer;
    this.send(reply(354, 'end data with <CR><LF>.<CR><LF>'));
    await writer.write(
      Buffer.from(
        receivedHeader({
          helo: this.helo,
          clientAddress: this.conn.remoteAddress,
          account: login.authzid,
          serverName: this.options.serverName,
          esmtp: this.esmtp,
          tls: this.conn.secure,
          smtputf8: tx.smtputf8,
          id: envelope.id,
          ...(tx.to.length === 1 ? { recipient: tx.to[0] } : {}),
          date: envelope.receivedAt,
        }),
        'utf8',
      ),
    );
    const { decoder, writeError } = await this.receiveData(writer);
    this.writer = undefined;
    if (writeError) {
      await writer.abort();
      this.conn.log.error({ id: envelope.id, error: writeError.message }, 'smtp spool write failed');
      return this.send(reply(451, 'local error in processing, try again later', '4.3.0'));
    }
    if (decoder.overflow || decoder.bareLineEnd) {
      await writer.abort();
      this.conn.log.info({ id: envelope.id, size: decoder.size, bareLineEnd: decoder.bareLineEnd }, 'smtp message refused');
      if (decoder.overflow) {
        return this.send(reply(552, `message size exceeds the limit of ${this.maxMessageSize} bytes`, '5.3.4'));
      }
      return this.send(reply(554, 'bare CR or LF in the message; lines must end with CRLF (RFC 5321 2.3.8)', '5.6.0'));
    }
    try {
      const text = await writer.commit();
      this.conn.log.info({ id: envelope.id, account: envelope.account, recipients: envelope.to.length, size: decoder.size }, 'smtp message accepted');
      this.send(reply(250, text, '2.0.0'));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.conn.log.warn({ id: envelope.id, error: message }, 'smtp delivery failed');
      if (e instanceof DeliveryError && e.permanent) return this.send(reply(554, message, '5.0.0'));
      this.send(reply(451, e instanceof DeliveryError ? message : 'local error in processing, try again later', '4.3.0'));
    }
  }

  /**
   * Read DATA up to its end marker into the writer; bytes past the size limit are dropped. A
   * failing writer does not end the reading: the client must still get its reply after the data.
   */
  private async receiveData(writer: MessageWriter): Promise<{ decoder: DataDecoder; writeError: Error | undefined }> {
    const decoder = new DataDecoder(this.maxMessageSize);
    let writeError: Error | undefined;
    for (;;) {
      const progress = decoder.push(await this.readDataChunk());
      if (progress.out.length > 0 && !writeError && !decoder.overflow) {
        try {
          await writer.write(progress.out);
        } catch (e) {
          writeError = e instanceof Error ? e : new Error(String(e));
        }
      }
      if (progress.done) {
        if (progress.rest.length > 0) this.conn.log.warn({ bytes: progress.rest.length }, 'input after end of data dropped');
        return { decoder, writeError };
      }
    }
  }

  private async readDataChunk(): Promise<Buffer> {
    if (this.conn.readLineChunk) return this.conn.readLineChunk(DATA_CHUNK);
    // a Connection without raw reads (a test double): whole lines, which cannot show bare LFs
    return Buffer.concat([await this.conn.readLine({ maxLength: DATA_CHUNK }), Buffer.from('\r\n')]);
  }

  private async dropMessage(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    if (writer) await writer.abort().catch(() => undefined);
  }

  // --- helpers ----------------------------------------------------------------------------------

  /** A bad command: answered, counted, and one too many closes the connection. */
  private bad(code: number, enhanced: string, text: string): void {
    this.badCommands += 1;
    if (this.badCommands > this.maxBadCommands) {
      this.send(reply(421, `${this.options.serverName} too many errors, closing connection`, '4.7.0'));
      this.phase = 'closed';
      return;
    }
    this.send(reply(code, text, enhanced));
  }

  private send(data: string): void {
    if (!this.conn.closed) this.conn.write(data);
  }

  private freshInfo(): ConnectionInfo {
    return connectionInfo(this.conn, 'smtp', this.options.serverName);
  }
}
