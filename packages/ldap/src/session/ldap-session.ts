/**
 * One LDAP connection as a state machine (RFC 4511, RFC 4513):
 *
 *   anonymous --(bind succeeds)--> bound --(any bind)--> anonymous ...
 *       |  \--(SASL step continues)--> sasl-in-progress --(next bind)--> bound | anonymous
 *       +--(unbind, bad BER, too many bad requests, idle, fatal)--> closed
 *
 * Requests are handled one at a time in arrival order; every response carries the request's
 * message ID. A message that cannot be parsed ends the session with a Notice of Disconnection
 * (RFC 4511 4.1.1): after a framing error nothing later on the stream can be trusted.
 */
import {
  connectionInfo,
  type AuthFailure,
  type AuthSuccess,
  type Authenticator,
  type ConnectionInfo,
  type LoginResult,
  type SaslExchange,
} from '@portcullis/auth-core';
import { ConnectionClosedError, IdleTimeoutError, type Connection } from '@portcullis/listener';
import {
  BerError,
  DEFAULT_MAX_MESSAGE_SIZE,
  FrameError,
  OID,
  ResultCode,
  SearchScope,
  decodeMessage,
  domainDn,
  encodeMessage,
  filterToString,
  isRequest,
  noticeOfDisconnection,
  readFrameHeader,
  type BindRequest,
  type ExtendedRequest,
  type LdapMessage,
  type ResponseOp,
  type SearchRequest,
  type SimpleResponseName,
} from '../codec/index.js';
import { loginNameFromBindName } from './bind-name.js';
import { domainForDownLevel, splitDownLevelName, type DownLevelName } from './down-level-name.js';
import { accountEntry, domainEntry } from './entries.js';
import { closesConnection, failureResultCode } from './failure-results.js';
import { matchFilter } from './filter-match.js';
import {
  DEFAULT_MAX_BAD_REQUESTS,
  DEFAULT_MAX_SASL_ROUNDS,
  DEFAULT_SIZE_LIMIT,
  type LdapOptions,
} from './options.js';
import { rootDse } from './root-dse.js';
import { runSearch, selectAttributes } from './search.js';

/** the refused update operations and the response each one gets */
const READ_ONLY: Record<string, SimpleResponseName> = {
  modifyRequest: 'modifyResponse',
  addRequest: 'addResponse',
  delRequest: 'delResponse',
  modifyDNRequest: 'modDNResponse',
  compareRequest: 'compareResponse',
};

/** the response op that answers each request that gets one */
const RESPONSE_TO: Record<string, ResponseOp['op']> = {
  ...READ_ONLY,
  bindRequest: 'bindResponse',
  searchRequest: 'searchResultDone',
  extendedRequest: 'extendedResponse',
};

interface SaslInProgress {
  exchange: SaslExchange;
  rounds: number;
}

export class LdapSession {
  private info: ConnectionInfo;
  private bound: AuthSuccess | undefined;
  private sasl: SaslInProgress | undefined;
  private badRequests = 0;
  private closing = false;
  private readonly auth: Authenticator;
  private readonly maxMessageSize: number;

  constructor(
    private readonly conn: Connection,
    private readonly options: LdapOptions,
  ) {
    this.auth = options.authenticator;
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.info = this.freshInfo();
  }

  async run(): Promise<void> {
    try {
      const refusal = await this.auth.checkClientAddress(this.info);
      if (refusal) {
        this.conn.log.info({ code: refusal.code }, 'ldap connection refused');
        this.disconnect(ResultCode.unavailable, refusal.message || 'access denied');
      }
      while (!this.closing) {
        const message = await this.readMessage();
        if (message) await this.dispatch(message);
      }
    } catch (e) {
      if (e instanceof IdleTimeoutError) {
        this.disconnect(ResultCode.unavailable, 'idle timeout');
      } else if (!(e instanceof ConnectionClosedError)) {
        // the message only: an error object could carry request data
        this.conn.log.error({ error: e instanceof Error ? e.message : String(e) }, 'ldap session failed');
        this.disconnect(ResultCode.unavailable, 'internal server error');
      }
    } finally {
      this.abortSasl();
    }
    if (!this.conn.closed) await this.conn.close();
  }

  private freshInfo(): ConnectionInfo {
    return connectionInfo(this.conn, 'ldap', this.options.serverName);
  }

  // --- reading --------------------------------------------------------------------------------

  /** The next message; undefined after a framing or BER error (the session is then closing). */
  private async readMessage(): Promise<LdapMessage | undefined> {
    let head = await this.conn.readBytes(2);
    try {
      let header = readFrameHeader(head, this.maxMessageSize);
      if (header.kind === 'need') {
        head = Buffer.concat([head, await this.conn.readBytes(header.bytes)]);
        header = readFrameHeader(head, this.maxMessageSize);
      }
      if (header.kind === 'need') throw new FrameError('bad-length');
      const body = await this.conn.readBytes(header.bodyLength);
      return decodeMessage(Buffer.concat([head, body]));
    } catch (e) {
      if (e instanceof FrameError) {
        this.conn.log.info({ problem: e.problem }, 'ldap framing error');
        this.disconnect(ResultCode.protocolError, e.problem === 'too-large' ? 'message too large' : 'malformed message');
        return undefined;
      }
      if (e instanceof BerError) {
        this.conn.log.info({ error: e.message }, 'ldap decoding error');
        this.disconnect(ResultCode.protocolError, `malformed message: ${e.message}`);
        return undefined;
      }
      throw e;
    }
  }

  // --- writing --------------------------------------------------------------------------------

  private send(messageId: number, protocolOp: ResponseOp): void {
    this.conn.write(encodeMessage({ messageId, protocolOp }));
  }

  private result<Op extends ResponseOp['op']>(
    messageId: number,
    op: Op,
    resultCode: number,
    diagnosticMessage = '',
    extra: object = {},
  ): void {
    this.send(messageId, { op, resultCode, matchedDN: '', diagnosticMessage, ...extra } as ResponseOp);
  }

  /** Notice of Disconnection (RFC 4511 4.4.1), then the session ends */
  private disconnect(resultCode: number, message: string): void {
    if (this.closing) return;
    this.closing = true;
    this.conn.write(noticeOfDisconnection(resultCode, message));
  }

  /** a request answered with protocolError: too many end the connection */
  private bad(): void {
    this.badRequests++;
    if (this.badRequests >= (this.options.maxBadRequests ?? DEFAULT_MAX_BAD_REQUESTS)) {
      this.conn.log.info({ badRequests: this.badRequests }, 'ldap: too many bad requests');
      this.disconnect(ResultCode.protocolError, 'too many bad requests');
    }
  }

  // --- dispatch -------------------------------------------------------------------------------

  private async dispatch(message: LdapMessage): Promise<void> {
    const { messageId, protocolOp: op } = message;
    if (!isRequest(op)) {
      this.disconnect(ResultCode.protocolError, `${op.op} is not a request`);
      return;
    }
    this.conn.log.debug({ messageId, op: op.op }, 'ldap request');
    // a bind in progress is abandoned by anything but its next step (RFC 4513 5.2.1.2)
    const interruptedSasl = op.op !== 'bindRequest' && this.abortSasl();
    if (op.op === 'unbindRequest') {
      this.closing = true;
      return;
    }
    if (op.op === 'abandonRequest') return; // every request is already answered when this arrives
    const critical = message.controls?.find((c) => c.critical);
    if (critical) {
      this.result(messageId, RESPONSE_TO[op.op]!, ResultCode.unavailableCriticalExtension, `control ${critical.type} is not supported`);
      return;
    }
    switch (op.op) {
      case 'bindRequest':
        return this.bind(messageId, op);
      case 'searchRequest':
        return this.search(messageId, op);
      case 'extendedRequest':
        return this.extended(messageId, op, interruptedSasl);
      default:
        return this.result(messageId, READ_ONLY[op.op]!, ResultCode.unwillingToPerform, 'the directory is read-only');
    }
  }

  // --- bind -----------------------------------------------------------------------------------

  /** ends a SASL exchange in progress; true when there was one */
  private abortSasl(): boolean {
    if (!this.sasl) return false;
    this.sasl.exchange.cancel();
    this.sasl = undefined;
    return true;
  }

  private async bind(id: number, req: BindRequest): Promise<void> {
    // whatever happens next, the connection is anonymous until this bind succeeds (RFC 4511 4.2.1)
    this.bound = undefined;
    const auth = req.auth;
    const continuing = auth.kind === 'sasl' && this.sasl?.exchange.mechanism === auth.mechanism.toUpperCase();
    if (!continuing) this.abortSasl();
    if (req.version !== 3) {
      this.abortSasl();
      this.result(id, 'bindResponse', ResultCode.protocolError, 'only LDAP version 3 is supported');
      return this.bad();
    }
    if (auth.kind === 'simple') return this.simpleBind(id, req.name, auth.password);
    if (auth.kind === 'other') {
      return this.result(id, 'bindResponse', ResultCode.authMethodNotSupported, 'unsupported authentication method');
    }
    if (auth.mechanism === '') {
      // RFC 4513 5.2.1.2: how a client aborts an exchange to start the same mechanism again
      return this.result(id, 'bindResponse', ResultCode.authMethodNotSupported, 'SASL bind aborted');
    }
    return this.saslBind(id, auth.mechanism.toUpperCase(), auth.credentials);
  }

  private async simpleBind(id: number, name: string, password: Buffer): Promise<void> {
    if (name === '' && password.length === 0) {
      this.conn.log.info({ method: 'anonymous' }, 'ldap anonymous bind');
      return this.result(id, 'bindResponse', ResultCode.success);
    }
    if (password.length === 0) {
      // RFC 4513 5.1.2: an unauthenticated bind would look like a success to careless clients
      return this.result(id, 'bindResponse', ResultCode.unwillingToPerform, 'unauthenticated bind (name without password) is refused');
    }
    if (name === '') {
      return this.result(id, 'bindResponse', ResultCode.unwillingToPerform, 'a password needs a name');
    }
    const downLevel = splitDownLevelName(name);
    if (downLevel) return this.downLevelBind(id, downLevel, password);
    const login = loginNameFromBindName(name);
    if (login === null) {
      this.conn.log.info({ user: name, method: 'simple' }, 'ldap bind DN names no account');
      return this.result(id, 'bindResponse', ResultCode.invalidCredentials, 'the bind DN names no account (use uid=NAME,dc=... or mail=ADDRESS)');
    }
    const result = await this.auth.loginPlaintext(login, password.toString('utf8'), this.info);
    this.finishBind(id, 'simple', login, result);
  }

  /** Active Directory's `DOMAIN\user` (down-level-name.ts). */
  private async downLevelBind(id: number, name: DownLevelName, password: Buffer): Promise<void> {
    const preferred = [this.conn.listenerDomain, this.options.mainDomain];
    let domains: string[];
    try {
      domains = this.options.directory?.listDomains ? await this.options.directory.listDomains() : preferred.filter((d) => d !== undefined);
    } catch (err) {
      this.conn.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'ldap bind: cannot list domains');
      return this.result(id, 'bindResponse', ResultCode.unavailable, 'the directory is not available');
    }
    // no such domain: auth-core refuses the name as it refuses any unknown account (and
    // hideUnknownAccount disguises it the same way), so the bind tells no more than others do
    const domain = domainForDownLevel(name.domainPart, domains, preferred) ?? name.domainPart;
    const login = `${name.user}@${domain}`;
    const result = await this.auth.loginPlaintext(login, password.toString('utf8'), this.info);
    this.finishBind(id, 'simple', login, result);
  }

  private async saslBind(id: number, mechanism: string, credentials: Buffer | undefined): Promise<void> {
    let input: Buffer | null;
    if (this.sasl) {
      input = credentials ?? Buffer.alloc(0);
    } else {
      const exchange = this.auth.startSasl(mechanism, this.info);
      if (!exchange) return this.result(id, 'bindResponse', ResultCode.authMethodNotSupported, `SASL mechanism ${mechanism} is not supported`);
      this.sasl = { exchange, rounds: 0 };
      // absent credentials mean no initial response; present but empty is an empty one
      input = credentials ?? null;
    }
    const sasl = this.sasl;
    if (++sasl.rounds > (this.options.maxSaslRounds ?? DEFAULT_MAX_SASL_ROUNDS)) {
      this.abortSasl();
      return this.result(id, 'bindResponse', ResultCode.invalidCredentials, 'too many authentication steps');
    }
    const step = await sasl.exchange.step(input);
    if (step.kind === 'continue') {
      return this.result(id, 'bindResponse', ResultCode.saslBindInProgress, '', { serverSaslCreds: step.challenge });
    }
    this.sasl = undefined;
    const result: LoginResult = step.kind === 'success' ? { ok: true, success: step.success } : { ok: false, failure: step.failure };
    this.finishBind(id, mechanism, undefined, result, step.kind === 'success' ? step.data : undefined);
  }

  private finishBind(id: number, method: string, user: string | undefined, result: LoginResult, data?: Buffer): void {
    if (!result.ok) return this.failBind(id, method, user, result.failure);
    const { success } = result;
    this.bound = success;
    this.conn.setLoggedIn();
    this.conn.log.info({ account: success.authzid, authcid: success.authcid, mechanism: success.mechanism }, 'ldap bind');
    this.result(id, 'bindResponse', ResultCode.success, '', data ? { serverSaslCreds: data } : {});
  }

  private failBind(id: number, method: string, user: string | undefined, failure: AuthFailure): void {
    this.conn.log.info({ user, method, code: failure.code }, 'ldap bind failed');
    this.result(id, 'bindResponse', failureResultCode(failure), failure.message || 'authentication failed');
    if (closesConnection(failure)) this.disconnect(ResultCode.unavailable, failure.message || 'access denied');
  }

  // --- extended operations ----------------------------------------------------------------------

  private async extended(id: number, req: ExtendedRequest, interruptedSasl: boolean): Promise<void> {
    if (req.name === OID.whoAmI) {
      const authzId = this.bound ? `u:${this.bound.authzid}` : '';
      return this.result(id, 'extendedResponse', ResultCode.success, '', { value: Buffer.from(authzId, 'utf8') });
    }
    if (req.name === OID.startTls) return this.startTls(id, interruptedSasl);
    this.result(id, 'extendedResponse', ResultCode.protocolError, `unsupported extended operation ${req.name}`);
    this.bad();
  }

  private async startTls(id: number, interruptedSasl: boolean): Promise<void> {
    const refuse = (code: number, text: string): void =>
      this.result(id, 'extendedResponse', code, text, { name: OID.startTls });
    // RFC 4511 4.14.1: not in the middle of a SASL bind
    if (interruptedSasl) return refuse(ResultCode.operationsError, 'StartTLS during a SASL bind');
    if (this.conn.secure) return refuse(ResultCode.operationsError, 'TLS is already active');
    if (!this.conn.canStartTls) return refuse(ResultCode.unavailable, 'StartTLS is not available on this listener');
    this.result(id, 'extendedResponse', ResultCode.success, '', { name: OID.startTls });
    try {
      await this.conn.startTls();
    } catch (e) {
      if (e instanceof ConnectionClosedError) throw e;
      this.conn.log.info({ error: e instanceof Error ? e.message : String(e) }, 'ldap StartTLS handshake failed');
      this.closing = true;
      return;
    }
    // `secure` changed: the advertisement and secure-method-required must see it
    this.info = this.freshInfo();
  }

  // --- search ---------------------------------------------------------------------------------

  private domainShown(): string | undefined {
    if (this.bound) return domainOf(this.bound.authzid);
    return this.conn.listenerDomain ?? this.options.mainDomain;
  }

  private async search(id: number, req: SearchRequest): Promise<void> {
    this.conn.log.debug({ base: req.baseObject, scope: req.scope, filter: filterToString(req.filter) }, 'ldap search');
    if (req.baseObject.trim() === '' && req.scope === SearchScope.base) return this.searchRootDse(id, req);
    const bound = this.bound;
    if (!bound) {
      return this.result(id, 'searchResultDone', ResultCode.insufficientAccessRights, 'anonymous clients may read only the root DSE: bind first');
    }
    const domain = domainOf(bound.authzid);
    let names: string[];
    try {
      names = this.options.directory ? await this.options.directory.listAccounts(domain) : [bound.account.name];
    } catch (e) {
      this.conn.log.warn({ error: e instanceof Error ? e.message : String(e) }, 'ldap: listing accounts failed');
      return this.result(id, 'searchResultDone', ResultCode.unavailable, 'the directory is unavailable');
    }
    const entries = [domainEntry(domain), ...[...names].sort().map((n) => accountEntry(n, domain))];
    // the empty base is the root above the naming context: its children are the context itself
    const effective: SearchRequest =
      req.baseObject.trim() === ''
        ? { ...req, baseObject: domainDn(domain), scope: req.scope === SearchScope.one ? SearchScope.base : SearchScope.sub }
        : req;
    const outcome = runSearch(effective, entries, this.options.sizeLimit ?? DEFAULT_SIZE_LIMIT);
    for (const entry of outcome.entries) {
      this.send(id, {
        op: 'searchResultEntry',
        objectName: entry.dn,
        attributes: selectAttributes(entry, req.attributes, req.typesOnly),
      });
    }
    this.send(id, { op: 'searchResultDone', ...outcome.result });
  }

  private async searchRootDse(id: number, req: SearchRequest): Promise<void> {
    const advertisement = await this.auth.advertise(this.info);
    const entry = rootDse({
      domain: this.domainShown(),
      saslMechanisms: advertisement.saslMechanisms,
      canStartTls: this.conn.canStartTls,
    });
    if (matchFilter(req.filter, entry) === true) {
      this.send(id, { op: 'searchResultEntry', objectName: '', attributes: selectAttributes(entry, req.attributes, req.typesOnly, true) });
    }
    this.result(id, 'searchResultDone', ResultCode.success);
  }
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 ? address.slice(at + 1).toLowerCase() : address.toLowerCase();
}
