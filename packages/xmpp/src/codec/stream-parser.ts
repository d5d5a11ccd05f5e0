/**
 * One XMPP stream (RFC 6120 section 4) from raw bytes: strict UTF-8, the restricted-XML scanner,
 * then @xmpp/xml's streaming parser, which builds the stream header and one element per stanza.
 * A stream restart (after STARTTLS and SASL) takes a fresh parser.
 */
import { Parser, type Element } from '@xmpp/xml';
import { RestrictedXmlScanner, type ScanCondition, type ScanLimits } from './restricted-scanner.js';

export type StreamEvent =
  | { kind: 'open'; root: Element }
  | { kind: 'stanza'; element: Element }
  | { kind: 'close' }
  | { kind: 'error'; condition: ScanCondition; text: string };

export class XmppStreamParser {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly scanner: RestrictedXmlScanner;
  private readonly parser = new Parser();
  private events: StreamEvent[] = [];
  private done = false;

  constructor(limits: Partial<ScanLimits> = {}) {
    this.scanner = new RestrictedXmlScanner(limits);
    this.parser.on('start', (root) => this.events.push({ kind: 'open', root }));
    this.parser.on('element', (element) => {
      // the parser keeps white space between stanzas as text of the root: drop it, it is unbounded
      if (this.parser.root) this.parser.root.children = [];
      this.events.push({ kind: 'stanza', element });
    });
    this.parser.on('end', () => this.events.push({ kind: 'close' }));
    this.parser.on('error', (err) => this.events.push({ kind: 'error', condition: 'not-well-formed', text: err.message }));
  }

  set maxStanzaChars(n: number) {
    this.scanner.maxStanzaChars = n;
  }

  /** Events for this chunk, in order; after an error or the close, nothing more. */
  push(data: Buffer): StreamEvent[] {
    if (this.done) return [];
    let text: string;
    try {
      text = this.decoder.decode(data, { stream: true });
    } catch {
      return this.finish([{ kind: 'error', condition: 'not-well-formed', text: 'invalid UTF-8' }]);
    }
    const scan = this.scanner.scan(text);
    try {
      if (scan.forward.length > 0) this.parser.write(scan.forward);
    } catch {
      // ltx throws on what it cannot unescape; the scanner should have caught it first
      this.events.push({ kind: 'error', condition: 'not-well-formed', text: 'not well-formed' });
    }
    if (scan.error) this.events.push({ kind: 'error', ...scan.error });
    const out = this.events;
    this.events = [];
    const end = out.findIndex((e) => e.kind === 'error' || e.kind === 'close');
    return end >= 0 ? this.finish(out.slice(0, end + 1)) : out;
  }

  private finish(events: StreamEvent[]): StreamEvent[] {
    this.done = true;
    return events;
  }
}
