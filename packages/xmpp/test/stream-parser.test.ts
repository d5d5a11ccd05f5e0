import { describe, expect, it } from 'vitest';
import { XmppStreamParser, type StreamEvent } from '../src/codec/index.js';

const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.test' version='1.0'>";

function feed(...chunks: string[]): StreamEvent[] {
  const p = new XmppStreamParser({ maxStanzaChars: 4096 });
  return chunks.flatMap((c) => p.push(Buffer.from(c)));
}

function errorOf(events: StreamEvent[]): string | undefined {
  const e = events.find((x) => x.kind === 'error');
  return e?.kind === 'error' ? e.condition : undefined;
}

describe('stream parsing', () => {
  it('emits the header, stanzas with their namespace, and the close', () => {
    const events = feed(HEADER, "<message to='b@example.test'><body>hi &amp; &#x263A;</body></message>", ' ', '</stream:stream>');
    expect(events.map((e) => e.kind)).toEqual(['open', 'stanza', 'close']);
    const open = events[0]!;
    expect(open.kind === 'open' && open.root.attrs.to).toBe('example.test');
    const st = events[1]!;
    if (st.kind !== 'stanza') throw new Error('no stanza');
    expect(st.element.getNS()).toBe('jabber:client');
    expect(st.element.getChildText('body')).toBe('hi & \u263a');
  });

  it('assembles a stanza split at every byte, multi-byte UTF-8 included', () => {
    const text = HEADER + "<message><body>caf\u00e9 \u{1F600}</body></message><iq type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>";
    const bytes = Buffer.from(text);
    const p = new XmppStreamParser();
    const events: StreamEvent[] = [];
    for (let i = 0; i < bytes.length; i++) events.push(...p.push(bytes.subarray(i, i + 1)));
    expect(events.map((e) => e.kind)).toEqual(['open', 'stanza', 'stanza']);
    const msg = events[1]!;
    expect(msg.kind === 'stanza' && msg.element.getChildText('body')).toBe('caf\u00e9 \u{1F600}');
    const iq = events[2]!;
    expect(iq.kind === 'stanza' && iq.element.getChild('ping')?.getNS()).toBe('urn:xmpp:ping');
  });

  it('accepts CDATA inside a stanza', () => {
    const events = feed(HEADER, '<message><body><![CDATA[a <b> ]] c]]></body></message>');
    const msg = events[1]!;
    expect(msg.kind === 'stanza' && msg.element.getChildText('body')).toBe('a <b> ]] c');
  });
});

describe('restricted XML (RFC 6120 11.1)', () => {
  it.each([
    ['a DOCTYPE before the stream', "<?xml version='1.0'?><!DOCTYPE foo [<!ENTITY a 'b'>]>" + HEADER],
    ['a DOCTYPE inside the stream', HEADER + '<!DOCTYPE x>'],
    ['an entity bomb', HEADER + '<message><body>&lol9;</body></message>'],
    ['an entity in an attribute', HEADER + "<message to='&ext;'/>"],
    ['a comment', HEADER + '<!-- hello -->'],
    ['a processing instruction after the header', HEADER + "<?php echo 'x'; ?>"],
    ['a processing instruction before the stream', "<?foo bar?>" + HEADER],
  ])('refuses %s with restricted-xml', (_name, input) => {
    expect(errorOf(feed(input))).toBe('restricted-xml');
  });

  it('refuses a DOCTYPE that arrives one byte at a time, before the parser sees it', () => {
    const p = new XmppStreamParser();
    const events: StreamEvent[] = [];
    for (const ch of HEADER + '<!DOCTYPE x>') events.push(...p.push(Buffer.from(ch)));
    expect(errorOf(events)).toBe('restricted-xml');
  });
});

describe('malformed XML', () => {
  it.each([
    ['mismatched end tag', HEADER + '<message><body></message>'],
    ['unquoted attribute', HEADER + '<message to=x/>'],
    ['attribute without value', HEADER + '<message to/>'],
    ['duplicate attribute', HEADER + "<message to='a' to='b'/>"],
    ['text between stanzas', HEADER + 'hello'],
    ['bare ampersand', HEADER + '<message><body>a & b</body></message>'],
    ['a NUL byte', HEADER + '<message>\u0000</message>'],
    ['bad character reference', HEADER + '<message><body>&#0;</body></message>'],
    ['less-than in an attribute', HEADER + "<message to='<'/>"],
    ['garbage after <', HEADER + '< message/>'],
    ['end tag for the stream without start', '</stream:stream>'],
  ])('refuses %s with not-well-formed', (_name, input) => {
    expect(errorOf(feed(input))).toBe('not-well-formed');
  });

  it('refuses invalid UTF-8', () => {
    const p = new XmppStreamParser();
    const events = [...p.push(Buffer.from(HEADER)), ...p.push(Buffer.from([0x3c, 0x61, 0xff, 0xfe, 0x3e]))];
    expect(errorOf(events)).toBe('not-well-formed');
  });

  it('reports nothing more after an error', () => {
    const p = new XmppStreamParser();
    expect(errorOf(p.push(Buffer.from(HEADER + '<!--')))).toBe('restricted-xml');
    expect(p.push(Buffer.from('<message/>'))).toEqual([]);
  });
});

describe('chunking', () => {
  it('gives the same stanzas whatever the chunk boundaries (differential fuzz)', () => {
    const text =
      HEADER +
      "<message to='a@b' id='1'><body>x &lt; y &#233; <![CDATA[c]]d]]></body></message>" +
      "<iq type='get' id='2'><query xmlns='jabber:iq:roster'/></iq> <presence/></stream:stream>";
    const bytes = Buffer.from(text);
    const whole = new XmppStreamParser().push(bytes);
    const render = (events: StreamEvent[]): string[] =>
      events.map((e) => (e.kind === 'stanza' ? e.element.toString() : e.kind));
    expect(render(whole)).toHaveLength(5);
    let seed = 7;
    for (let round = 0; round < 500; round++) {
      const p = new XmppStreamParser();
      const events: StreamEvent[] = [];
      for (let at = 0; at < bytes.length; ) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const n = 1 + (seed % 12);
        events.push(...p.push(bytes.subarray(at, at + n)));
        at += n;
      }
      expect(render(events)).toEqual(render(whole));
    }
  });
});

describe('limits', () => {
  it('refuses a stanza over the size limit with policy-violation', () => {
    expect(errorOf(feed(HEADER, `<message><body>${'x'.repeat(5000)}</body></message>`))).toBe('policy-violation');
  });

  it('refuses endless white space between stanzas', () => {
    expect(errorOf(feed(HEADER, ' '.repeat(5000)))).toBe('policy-violation');
  });

  it('counts each stanza on its own', () => {
    const one = `<message><body>${'x'.repeat(3000)}</body></message>`;
    expect(feed(HEADER, one, one, one).filter((e) => e.kind === 'stanza')).toHaveLength(3);
  });

  it('refuses deep nesting and many attributes', () => {
    expect(errorOf(feed(HEADER, '<a>'.repeat(40)))).toBe('policy-violation');
    const attrs = Array.from({ length: 70 }, (_, i) => `a${i}='1'`).join(' ');
    expect(errorOf(feed(HEADER, `<message ${attrs}/>`))).toBe('policy-violation');
  });

  it('raising the limit after authentication lets bigger stanzas through', () => {
    const p = new XmppStreamParser({ maxStanzaChars: 1000 });
    p.push(Buffer.from(HEADER));
    p.maxStanzaChars = 10000;
    const events = p.push(Buffer.from(`<message><body>${'y'.repeat(5000)}</body></message>`));
    expect(events.map((e) => e.kind)).toEqual(['stanza']);
  });
});

describe('fuzz', () => {
  it('never throws and never emits after an error, on random mutations of a valid stream', () => {
    const base = HEADER + "<message to='a@b' id='1'><body>x &lt; y</body></message><iq type='get' id='2'><ping xmlns='urn:xmpp:ping'/></iq></stream:stream>";
    const alphabet = ['<', '>', '/', '!', '?', '&', ';', "'", '"', '=', ' ', 'a', '-', '[', ']', '\u0000', '\u00e9', 'CDATA', 'DOCTYPE', '#x'];
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 3000; round++) {
      const chars = [...base];
      const edits = 1 + rand(4);
      for (let e = 0; e < edits; e++) {
        const at = rand(chars.length);
        const what = rand(3);
        if (what === 0) chars.splice(at, 1);
        else if (what === 1) chars.splice(at, 0, alphabet[rand(alphabet.length)]!);
        else chars[at] = alphabet[rand(alphabet.length)]!;
      }
      const bytes = Buffer.from(chars.join(''));
      const p = new XmppStreamParser({ maxStanzaChars: 2048 });
      const events: StreamEvent[] = [];
      let at = 0;
      while (at < bytes.length) {
        const n = 1 + rand(40);
        events.push(...p.push(bytes.subarray(at, at + n)));
        at += n;
      }
      const stop = events.findIndex((x) => x.kind === 'error' || x.kind === 'close');
      expect(stop === -1 || stop === events.length - 1).toBe(true);
    }
  });
});
