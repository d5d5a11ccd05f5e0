/**
 * One client-to-server XMPP connection (RFC 6120, the basics of RFC 6121): stream negotiation
 * (STARTTLS, SASL, resource binding, the legacy session), then a small built-in IM service
 * (empty roster, presence to the account's own resources, message and iq routing between
 * sessions of this instance, XEP-0199 ping). Every protocol fault ends in a stream error.
 */
import { randomBytes } from 'node:crypto';
import {
  connectionInfo,
  decodeBase64Strict,
  type AuthSuccess,
  type ConnectionInfo,
  type SaslExchange,
} from '@portcullis/auth-core';
import { ConnectionClosedError, IdleTimeoutError, type Connection } from '@portcullis/listener';
import { xml, type Element } from '@xmpp/xml';
import { NS } from '../codec/namespaces.js';
import { bareJid, isResource, parseJid, type Jid } from '../codec/jid.js';
import {
  mechanismsFeature,
  saslChallenge,
  saslFailure,
  saslSuccess,
  stanzaError,
  starttlsFeature,
  STREAM_CLOSE,
  streamError,
  streamFeatures,
  streamHeader,
  type SaslFailureCondition,
  type StanzaErrorCondition,
  type StanzaErrorType,
  type StreamErrorCondition,
} from '../codec/serialize.js';
import { XmppStreamParser, type StreamEvent } from '../codec/stream-parser.js';
import { TokenBucket } from './rate-limit.js';
import type { RoutedSession, XmppRouter } from './router.js';
import { saslConditionFor } from './sasl-failures.js';

export interface XmppSessionConfig {
  authenticator: import('@portcullis/auth-core').Authenticator;
  serverName: string;
  /** the domain for a stream without `to` when the listener names none */
  mainDomain: string | undefined;
  /** canonical name of a domain we serve (aliases resolve), null otherwise; absent: any `to` is served */
  resolveDomain: ((name: string) => Promise<string | null>) | undefined;
  requireStartTls: boolean;
  legacySession: boolean;
  maxStanzaPreAuth: number;
  maxStanzaPostAuth: number;
  maxAuthFailures: number;
  stanzaRate: number;
  stanzaBurst: number;
  router: XmppRouter;
}

const READ_CHUNK = 16384;
/** no real mechanism needs more round trips */
const MAX_SASL_ROUNDS = 16;

/** the stream ends with this error (sent by the catcher) */
class StreamFailure extends Error {
  constructor(
    readonly condition: StreamErrorCondition,
    readonly text?: string,
  ) {
    super(condition);
  }
}

/** the stream is over without an error: the client closed it, or the socket is gone */
class StreamDone extends Error {
  constructor(readonly clientClosed: boolean) {
    super('stream done');
  }
}

type Stanza = Element;

export class XmppSession implements RoutedSession {
  private parser: XmppStreamParser;
  private queue: StreamEvent[] = [];
  private headerSent = false;
  /** the domain this stream is for (canonical) and the name the client used for it */
  private domain = '';
  private streamFrom = '';
  private auth: AuthSuccess | undefined;
  private authFailures = 0;
  private jid: Required<Jid> | undefined;
  private bound = false;
  private readonly bucket: TokenBucket;
  private readonly servedCache = new Map<string, string | null>();
  available = false;
  presence: Element | null = null;

  constructor(
    private readonly conn: Connection,
    private readonly cfg: XmppSessionConfig,
  ) {
    this.parser = new XmppStreamParser({ maxStanzaChars: cfg.maxStanzaPreAuth });
    this.bucket = new TokenBucket(cfg.stanzaRate, cfg.stanzaBurst);
  }

  get bare(): string {
    return this.jid ? bareJid(this.jid) : '';
  }

  get resource(): string {
    return this.jid?.resource ?? '';
  }

  private get fullJid(): string {
    return `${this.bare}/${this.resource}`;
  }

  async run(): Promise<void> {
    try {
      await this.negotiate();
    } catch (err) {
      if (err instanceof StreamFailure) {
        this.conn.log.info({ condition: err.condition }, 'xmpp stream error');
        this.fail(err.condition, err.text);
      } else if (err instanceof StreamDone) {
        if (err.clientClosed) this.conn.write(STREAM_CLOSE);
      } else if (err instanceof ConnectionClosedError) {
        // the socket went away
      } else {
        this.conn.log.warn({ err: (err as Error).message }, 'xmpp session failed');
        this.fail('internal-server-error');
      }
    } finally {
      this.leave();
      await this.conn.close();
    }
  }

  /** RoutedSession: write a routed stanza to this client */
  deliver(stanza: Element): void {
    if (this.bound && !this.conn.closed) this.conn.write(stanza.toString());
  }

  kick(condition: 'conflict'): void {
    this.conn.log.info({ condition }, 'xmpp session replaced');
    this.fail(condition, 'replaced by a new connection for the same resource');
    this.leave();
    void this.conn.close();
  }

  private fail(condition: StreamErrorCondition, text?: string): void {
    if (this.conn.closed) return;
    // RFC 6120 4.9.1.2: an error before our header still needs the header first
    if (!this.headerSent) this.writeHeader(undefined);
    this.conn.write(streamError(condition, text) + STREAM_CLOSE);
  }

  private leave(): void {
    if (!this.bound) return;
    this.bound = false;
    if (this.available) {
      this.available = false;
      this.broadcastOwn(xml('presence', { type: 'unavailable', from: this.fullJid }));
    }
    this.cfg.router.unbind(this);
  }

  private async negotiate(): Promise<void> {
    let first = true;
    for (;;) {
      await this.openStream();
      if (first) {
        first = false;
        const refused = await this.cfg.authenticator.checkClientAddress(this.info());
        if (refused) throw new StreamFailure('policy-violation', refused.message);
      }
      if (!this.auth) {
        await this.preAuth();
        continue;
      }
      this.conn.write(
        streamFeatures([
          xml('bind', { xmlns: NS.bind }),
          this.cfg.legacySession ? xml('session', { xmlns: NS.session }, xml('optional')) : null,
        ].filter((e): e is Element => e !== null)),
      );
      await this.bindResource();
      await this.serve();
      return;
    }
  }

  // ---- reading ----

  private async nextEvent(): Promise<StreamEvent> {
    while (this.queue.length === 0) {
      let chunk: Buffer;
      try {
        chunk = this.conn.readSome ? await this.conn.readSome(READ_CHUNK) : await this.conn.readBytes(1);
      } catch (err) {
        if (err instanceof IdleTimeoutError) throw new StreamFailure('connection-timeout');
        if (err instanceof ConnectionClosedError) throw new StreamDone(false);
        throw err;
      }
      this.queue.push(...this.parser.push(chunk));
    }
    return this.queue.shift()!;
  }

  private async nextStanza(): Promise<Stanza> {
    const ev = await this.nextEvent();
    switch (ev.kind) {
      case 'error':
        throw new StreamFailure(ev.condition, ev.text);
      case 'close':
        throw new StreamDone(true);
      case 'open':
        throw new StreamFailure('not-well-formed');
      case 'stanza': {
        const wait = this.bucket.take();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        return ev.element;
      }
    }
  }

  /** a fresh parser for the restarted stream (RFC 6120 4.3.3) */
  private restart(): void {
    this.parser = new XmppStreamParser({
      maxStanzaChars: this.auth ? this.cfg.maxStanzaPostAuth : this.cfg.maxStanzaPreAuth,
    });
    this.queue = [];
    this.headerSent = false;
  }

  // ---- stream header ----

  private async openStream(): Promise<void> {
    const ev = await this.nextEvent();
    if (ev.kind === 'error') throw new StreamFailure(ev.condition, ev.text);
    if (ev.kind !== 'open') throw new StreamFailure('not-well-formed', 'expected a stream header');
    const root = ev.root;
    const clientFrom = root.attrs.from !== undefined && parseJid(root.attrs.from) ? root.attrs.from : undefined;
    const to = root.attrs.to;
    if (!this.auth) {
      const chosen = await this.chooseDomain(to);
      this.domain = chosen ?? this.defaultDomain();
      this.streamFrom = chosen !== null && to !== undefined ? to.toLowerCase() : this.domain;
      this.writeHeader(clientFrom);
      if (chosen === null) throw new StreamFailure('host-unknown', 'this server does not serve that domain');
    } else {
      this.writeHeader(clientFrom);
    }
    if (root.getName() !== 'stream' || root.getNS() !== NS.stream) throw new StreamFailure('invalid-namespace');
    if (root.attrs.xmlns !== NS.client) throw new StreamFailure('invalid-namespace', 'only jabber:client streams');
    const version = /^(\d+)\.(\d+)$/.exec(root.attrs.version ?? '');
    if (!version || Number(version[1]) !== 1) throw new StreamFailure('unsupported-version', 'version 1.0 is required');
  }

  private writeHeader(clientFrom: string | undefined): void {
    const id = randomBytes(12).toString('hex');
    this.conn.write(streamHeader({ id, from: this.streamFrom || this.defaultDomain(), ...(clientFrom ? { to: clientFrom } : {}) }));
    this.headerSent = true;
  }

  private defaultDomain(): string {
    return this.conn.listenerDomain ?? this.cfg.mainDomain ?? this.cfg.serverName;
  }

  /** the canonical domain for the stream's `to`; null for a domain we do not serve */
  private async chooseDomain(to: string | undefined): Promise<string | null> {
    if (to === undefined) return this.defaultDomain();
    const name = to.toLowerCase().replace(/\.$/, '');
    if (name === this.cfg.serverName.toLowerCase()) return this.defaultDomain();
    if (!this.cfg.resolveDomain) return parseJid(name) && !name.includes('@') && !name.includes('/') ? name : null;
    return this.served(name);
  }

  private async served(domain: string): Promise<string | null> {
    if (domain === this.domain) return this.domain;
    if (!this.cfg.resolveDomain) return null;
    if (!this.servedCache.has(domain)) {
      let canonical: string | null;
      try {
        canonical = await this.cfg.resolveDomain(domain);
      } catch {
        canonical = null;
      }
      this.servedCache.set(domain, canonical);
    }
    return this.servedCache.get(domain) ?? null;
  }

  private info(): ConnectionInfo {
    // the stream's domain completes login names without one, and picks the Login Methods
    return { ...connectionInfo(this.conn, 'xmpp', this.cfg.serverName), listenerDomain: this.domain };
  }

  // ---- before authentication ----

  private tlsRequired(): boolean {
    return this.cfg.requireStartTls && !this.conn.secure && this.conn.canStartTls;
  }

  private async preAuth(): Promise<void> {
    const features: Element[] = [];
    if (this.conn.canStartTls) features.push(starttlsFeature(this.cfg.requireStartTls));
    if (!this.tlsRequired()) {
      const adv = await this.cfg.authenticator.advertise(this.info());
      if (adv.saslMechanisms.length > 0) features.push(mechanismsFeature(adv.saslMechanisms));
    }
    this.conn.write(streamFeatures(features));
    for (;;) {
      const el = await this.nextStanza();
      if (el.is('starttls', NS.tls)) {
        if (!this.conn.canStartTls) {
          this.conn.write(xml('failure', { xmlns: NS.tls }).toString());
          throw new StreamDone(true);
        }
        this.conn.write(xml('proceed', { xmlns: NS.tls }).toString());
        // anything pipelined after <starttls/> was sent in the clear: it is dropped with the parser
        this.restart();
        await this.conn.startTls();
        return;
      }
      if (el.is('auth', NS.sasl)) {
        if (await this.authenticate(el)) {
          this.conn.setLoggedIn();
          this.restart();
          return;
        }
        continue;
      }
      throw new StreamFailure('not-authorized', 'authenticate first');
    }
  }

  /** one SASL negotiation (RFC 6120 6.4); true after <success/> */
  private async authenticate(authEl: Element): Promise<boolean> {
    const mechanism = authEl.attrs.mechanism ?? '';
    if (this.tlsRequired()) return this.saslFailed('encryption-required', 'STARTTLS first');
    const exchange = mechanism ? this.cfg.authenticator.startSasl(mechanism, this.info()) : null;
    if (!exchange) return this.saslFailed('invalid-mechanism');
    const initial = authEl.getText();
    let input: Buffer | null = null;
    if (initial !== '') {
      const decoded = this.decodePayload(initial);
      if (!decoded) return this.saslFailed('incorrect-encoding');
      input = decoded;
    }
    for (let round = 0; ; round++) {
      const step = await exchange.step(input);
      if (step.kind === 'success') {
        this.auth = step.success;
        this.conn.log.info({ mechanism: exchange.mechanism }, 'xmpp authenticated');
        this.conn.write(saslSuccess(step.data));
        return true;
      }
      if (step.kind === 'failure') {
        return this.saslFailed(saslConditionFor(step.failure.code), step.failure.message);
      }
      if (round >= MAX_SASL_ROUNDS) return this.saslFailed('malformed-request', 'too many round trips');
      this.conn.write(saslChallenge(step.challenge));
      const next = await this.saslResponse(exchange);
      if (next === 'aborted') return this.saslFailed('aborted');
      if (next === 'bad-encoding') return this.saslFailed('incorrect-encoding');
      if (next === 'unexpected') return this.saslFailed('malformed-request');
      input = next;
    }
  }

  private async saslResponse(exchange: SaslExchange): Promise<Buffer | 'aborted' | 'bad-encoding' | 'unexpected'> {
    const el = await this.nextStanza();
    if (el.is('abort', NS.sasl)) {
      exchange.cancel();
      return 'aborted';
    }
    if (!el.is('response', NS.sasl)) return 'unexpected';
    const text = el.getText();
    return text === '' ? Buffer.alloc(0) : (this.decodePayload(text) ?? 'bad-encoding');
  }

  private decodePayload(text: string): Buffer | null {
    if (text === '=') return Buffer.alloc(0);
    return decodeBase64Strict(text);
  }

  private saslFailed(condition: SaslFailureCondition, text?: string): false {
    this.conn.write(saslFailure(condition, text));
    if (condition !== 'aborted') this.conn.log.info({ condition }, 'xmpp authentication failed');
    if (++this.authFailures >= this.cfg.maxAuthFailures) {
      throw new StreamFailure('not-authorized', 'too many failed authentication attempts');
    }
    return false;
  }

  // ---- resource binding (RFC 6120 7) ----

  private async bindResource(): Promise<void> {
    const auth = this.auth!;
    const at = auth.authzid.lastIndexOf('@');
    const local = at >= 0 ? auth.authzid.slice(0, at) : auth.authzid;
    const domain = at >= 0 ? auth.authzid.slice(at + 1) : this.domain;
    for (;;) {
      const el = await this.nextStanza();
      const bind = el.is('iq', NS.client) && el.attrs.type === 'set' ? el.getChild('bind', NS.bind) : undefined;
      if (!bind) throw new StreamFailure('not-authorized', 'bind a resource first');
      const wanted = bind.getChildText('resource');
      if (wanted !== null && wanted !== '' && !isResource(wanted)) {
        this.conn.write(stanzaError(el, 'bad-request', 'modify', undefined, undefined).toString());
        continue;
      }
      const resource = wanted || randomBytes(8).toString('hex');
      this.jid = { local, domain, resource };
      this.bound = true;
      const replaced = this.cfg.router.bind(this);
      if (replaced && replaced !== this) replaced.kick('conflict');
      this.conn.write(
        xml('iq', { type: 'result', id: el.attrs.id }, xml('bind', { xmlns: NS.bind }, xml('jid', null, this.fullJid))).toString(),
      );
      return;
    }
  }

  // ---- the bound session ----

  private async serve(): Promise<void> {
    for (;;) {
      const el = await this.nextStanza();
      if (el.getNS() !== NS.client || !['message', 'presence', 'iq'].includes(el.getName())) {
        throw new StreamFailure('unsupported-stanza-type');
      }
      // RFC 6120 8.1.2.1: the server stamps the sender's full JID
      el.attrs.from = this.fullJid;
      if (el.attrs.xmlns === NS.client) delete el.attrs.xmlns;
      const toAttr = el.attrs.to;
      const to = toAttr !== undefined ? parseJid(toAttr) : null;
      if (toAttr !== undefined && !to) {
        if (el.attrs.type !== 'error') this.replyError(el, 'jid-malformed', 'modify');
        continue;
      }
      switch (el.getName()) {
        case 'message':
          await this.routeMessage(el, to ?? { ...this.jid!, resource: undefined });
          break;
        case 'presence':
          await this.handlePresence(el, to);
          break;
        case 'iq':
          await this.handleIq(el, to);
          break;
      }
    }
  }

  private replyError(el: Element, condition: StanzaErrorCondition, type: StanzaErrorType): void {
    this.conn.write(stanzaError(el, condition, type, el.attrs.to, this.fullJid).toString());
  }

  private async routeMessage(el: Element, to: Jid): Promise<void> {
    const type = el.attrs.type ?? 'normal';
    const bounce = (condition: StanzaErrorCondition): void => {
      if (type !== 'error' && type !== 'headline') this.replyError(el, condition, 'cancel');
    };
    const domain = await this.served(to.domain);
    if (domain === null) return bounce('remote-server-not-found');
    if (to.local === undefined) return bounce('service-unavailable');
    const bare = `${to.local}@${domain}`;
    if (to.resource !== undefined) {
      const target = this.cfg.router.get(bare, to.resource);
      if (target) return target.deliver(el);
      if (type !== 'normal' && type !== 'chat') return bounce('service-unavailable');
    }
    const targets = this.cfg.router.resources(bare).filter((s) => s.available && priorityOf(s.presence) >= 0);
    // no offline storage: an account with nobody online (or no account) answers the same way
    if (targets.length === 0) return bounce('service-unavailable');
    for (const t of targets) t.deliver(el);
  }

  private async handlePresence(el: Element, to: Jid | null): Promise<void> {
    const type = el.attrs.type;
    if (!to) {
      if (type === undefined) {
        const first = !this.available;
        this.available = true;
        this.presence = el;
        this.broadcastOwn(el);
        if (first) {
          // the account's other resources are its only contacts here
          for (const other of this.cfg.router.resources(this.bare)) {
            if (other !== this && other.available && other.presence) this.deliver(other.presence);
          }
        }
      } else if (type === 'unavailable') {
        this.available = false;
        this.presence = null;
        this.broadcastOwn(el);
      }
      return;
    }
    const domain = await this.served(to.domain);
    if (domain === null || to.local === undefined) return;
    const bare = `${to.local}@${domain}`;
    if (to.resource !== undefined) {
      this.cfg.router.get(bare, to.resource)?.deliver(el);
      return;
    }
    for (const t of this.cfg.router.resources(bare)) if (t.available) t.deliver(el);
  }

  private broadcastOwn(el: Element): void {
    for (const other of this.cfg.router.resources(this.bare)) if (other !== this) other.deliver(el);
  }

  private async handleIq(el: Element, to: Jid | null): Promise<void> {
    const type = el.attrs.type;
    if (!el.attrs.id) throw new StreamFailure('invalid-xml', 'an iq needs an id');
    const request = type === 'get' || type === 'set';
    if (!request && type !== 'result' && type !== 'error') return this.replyError(el, 'bad-request', 'modify');
    const domain = to ? await this.served(to.domain) : this.domain;
    if (domain === null) {
      if (request) this.replyError(el, 'remote-server-not-found', 'cancel');
      return;
    }
    const toBare = to && to.local !== undefined ? `${to.local}@${domain}` : undefined;
    const forServer = !to || (to.local === undefined && to.resource === undefined) || (toBare === this.bare && to.resource === undefined);
    if (!forServer) {
      const target = toBare !== undefined && to?.resource !== undefined ? this.cfg.router.get(toBare, to.resource) : undefined;
      if (target) target.deliver(el);
      else if (request) this.replyError(el, 'service-unavailable', 'cancel');
      return;
    }
    if (!request) return;
    const children = el.getChildElements();
    const payload = children[0];
    if (children.length !== 1 || !payload) return this.replyError(el, 'bad-request', 'modify');
    const ns = payload.getNS();
    const name = payload.getName();
    const result = (...content: Element[]): void => {
      this.conn.write(xml('iq', { type: 'result', id: el.attrs.id, from: el.attrs.to, to: this.fullJid }, ...content).toString());
    };
    if (type === 'get' && ns === NS.ping && name === 'ping') return result();
    if (type === 'get' && ns === NS.roster && name === 'query' && (!to || toBare === this.bare)) {
      return result(xml('query', { xmlns: NS.roster }));
    }
    if (type === 'set' && ns === NS.session && name === 'session') return result();
    if (type === 'set' && ns === NS.bind) return this.replyError(el, 'not-allowed', 'cancel');
    if (type === 'get' && ns === NS.discoInfo && name === 'query' && !payload.attrs.node) {
      const identity = toBare ? { category: 'account', type: 'registered' } : { category: 'server', type: 'im' };
      return result(
        xml(
          'query',
          { xmlns: NS.discoInfo },
          xml('identity', identity),
          xml('feature', { var: NS.discoInfo }),
          ...(toBare ? [] : [xml('feature', { var: NS.ping })]),
        ),
      );
    }
    this.replyError(el, 'service-unavailable', 'cancel');
  }
}

function priorityOf(presence: Element | null): number {
  const text = presence?.getChildText('priority');
  const n = text ? Number.parseInt(text, 10) : 0;
  return Number.isFinite(n) ? n : 0;
}
