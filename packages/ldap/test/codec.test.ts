import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BerError,
  FrameError,
  OID,
  ResultCode,
  decodeMessage,
  encodeMessage,
  filterToString,
  noticeOfDisconnection,
  readFrameHeader,
  splitFrames,
  type Filter,
  type LdapMessage,
  type ProtocolOp,
} from '../src/codec/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const FILTER: Filter = {
  type: 'and',
  filters: [
    { type: 'equality', attribute: 'objectClass', value: Buffer.from('inetOrgPerson') },
    {
      type: 'or',
      filters: [
        { type: 'substrings', attribute: 'uid', initial: Buffer.from('al'), any: [Buffer.from('i')], final: Buffer.from('e') },
        { type: 'present', attribute: 'mail' },
        { type: 'not', filter: { type: 'greaterOrEqual', attribute: 'cn', value: Buffer.from('m') } },
        { type: 'lessOrEqual', attribute: 'cn', value: Buffer.from('b') },
        { type: 'approx', attribute: 'sn', value: Buffer.from('x(y)*\\') },
        { type: 'extensible', matchingRule: '2.5.13.2', attribute: 'cn', value: Buffer.from('z'), dnAttributes: true },
      ],
    },
  ],
};

const OPS: ProtocolOp[] = [
  { op: 'bindRequest', version: 3, name: 'uid=alice,dc=example,dc=test', auth: { kind: 'simple', password: Buffer.from('secret') } },
  { op: 'bindRequest', version: 3, name: '', auth: { kind: 'sasl', mechanism: 'CRAM-MD5' } },
  { op: 'bindRequest', version: 3, name: '', auth: { kind: 'sasl', mechanism: 'PLAIN', credentials: Buffer.from('\0a\0b') } },
  { op: 'bindRequest', version: 3, name: '', auth: { kind: 'sasl', mechanism: 'X', credentials: Buffer.alloc(0) } },
  { op: 'unbindRequest' },
  {
    op: 'searchRequest',
    baseObject: 'dc=example,dc=test',
    scope: 2,
    derefAliases: 3,
    sizeLimit: 10,
    timeLimit: 5,
    typesOnly: true,
    filter: FILTER,
    attributes: ['uid', 'mail'],
  },
  { op: 'modifyRequest', object: 'uid=a,dc=x' },
  { op: 'addRequest', entry: 'uid=a,dc=x' },
  { op: 'delRequest', entry: 'uid=a,dc=x' },
  { op: 'modifyDNRequest', entry: 'uid=a,dc=x' },
  { op: 'compareRequest', entry: 'uid=a,dc=x' },
  { op: 'abandonRequest', messageId: 300 },
  { op: 'extendedRequest', name: OID.whoAmI },
  { op: 'extendedRequest', name: '1.2.3', value: Buffer.from([0, 1, 2]) },
  { op: 'bindResponse', resultCode: 14, matchedDN: '', diagnosticMessage: '', serverSaslCreds: Buffer.from('<1.2@x>') },
  { op: 'bindResponse', resultCode: 49, matchedDN: '', diagnosticMessage: 'incorrect password' },
  {
    op: 'searchResultEntry',
    objectName: 'uid=alice,dc=example,dc=test',
    attributes: [
      { type: 'mail', values: [Buffer.from('alice@example.test')] },
      { type: 'objectClass', values: [Buffer.from('top'), Buffer.from('person')] },
      { type: 'cn', values: [] },
    ],
  },
  { op: 'searchResultDone', resultCode: 4, matchedDN: '', diagnosticMessage: 'size limit' },
  { op: 'modifyResponse', resultCode: 53, matchedDN: '', diagnosticMessage: 'read-only' },
  { op: 'addResponse', resultCode: 53, matchedDN: '', diagnosticMessage: '' },
  { op: 'delResponse', resultCode: 53, matchedDN: '', diagnosticMessage: '' },
  { op: 'modDNResponse', resultCode: 53, matchedDN: '', diagnosticMessage: '' },
  { op: 'compareResponse', resultCode: 53, matchedDN: 'dc=x', diagnosticMessage: '' },
  { op: 'extendedResponse', resultCode: 0, matchedDN: '', diagnosticMessage: '', name: OID.startTls },
  { op: 'extendedResponse', resultCode: 0, matchedDN: '', diagnosticMessage: '', value: Buffer.from('u:alice@example.test') },
];

describe('LDAPMessage round trips', () => {
  it.each(OPS.map((op) => [op.op, op] as const))('%s', (_name, op) => {
    const message: LdapMessage = { messageId: 7, protocolOp: op };
    const bytes = encodeMessage(message);
    expect(decodeMessage(bytes)).toEqual(message);
  });

  it('keeps controls and message IDs up to 2^31-1', () => {
    const message: LdapMessage = {
      messageId: 2 ** 31 - 1,
      protocolOp: { op: 'extendedRequest', name: OID.whoAmI },
      controls: [
        { type: '1.2.840.113556.1.4.319', critical: true, value: Buffer.from([0x30, 0x00]) },
        { type: '2.16.840.1.113730.3.4.2', critical: false },
      ],
    };
    expect(decodeMessage(encodeMessage(message))).toEqual(message);
  });
});

describe('known encodings', () => {
  it('an anonymous LDAPv3 bind is the classic 14 bytes', () => {
    const bytes = hex('30 0c 02 01 01 60 07 02 01 03 04 00 80 00');
    const message = { messageId: 1, protocolOp: { op: 'bindRequest', version: 3, name: '', auth: { kind: 'simple', password: Buffer.alloc(0) } } };
    expect(decodeMessage(bytes)).toEqual(message);
    expect(encodeMessage(message as LdapMessage)).toEqual(bytes);
  });

  it('an unbind request (RFC 4511 4.3) is an empty [APPLICATION 2]', () => {
    expect(encodeMessage({ messageId: 3, protocolOp: { op: 'unbindRequest' } })).toEqual(hex('30 05 02 01 03 42 00'));
  });

  it('the Notice of Disconnection has message ID 0 and its OID as responseName (RFC 4511 4.4.1)', () => {
    const notice = decodeMessage(noticeOfDisconnection(ResultCode.protocolError, 'bad'));
    expect(notice).toEqual({
      messageId: 0,
      protocolOp: { op: 'extendedResponse', resultCode: 2, matchedDN: '', diagnosticMessage: 'bad', name: '1.3.6.1.4.1.1466.20036' },
    });
  });

  it('reads a search request as ldapsearch sends it (root DSE, one attribute)', () => {
    const bytes = hex(
      '303e020102633904000a01000a0100020100020100010100870b6f626a656374436c61737330190417737570706f727465645341534c4d656368616e69736d73',
    );
    const m = decodeMessage(bytes);
    expect(m.protocolOp).toMatchObject({ op: 'searchRequest', baseObject: '', scope: 0, attributes: ['supportedSASLMechanisms'] });
  });
});

describe('filters', () => {
  it('print in the RFC 4515 string form, with escapes', () => {
    expect(filterToString(FILTER)).toBe(
      '(&(objectClass=inetOrgPerson)(|(uid=al*i*e)(mail=*)(!(cn>=m))(cn<=b)(sn~=x\\28y\\29\\2a\\5c)(cn:dn:2.5.13.2:=z)))',
    );
  });

  it('refuse a filter nested beyond the depth limit', () => {
    let f: Filter = { type: 'present', attribute: 'uid' };
    for (let i = 0; i < 40; i++) f = { type: 'not', filter: f };
    const bytes = encodeMessage({
      messageId: 1,
      protocolOp: { op: 'searchRequest', baseObject: '', scope: 0, derefAliases: 0, sizeLimit: 0, timeLimit: 0, typesOnly: false, filter: f, attributes: [] },
    });
    expect(() => decodeMessage(bytes)).toThrow(BerError);
  });
});

describe('malformed messages are BerErrors', () => {
  const cases: Record<string, string> = {
    'trailing bytes': '300c020101600702010304008000ff',
    'not a sequence': '310c020101600702010304008000',
    'negative message id': '300c0201ff600702010304008000',
    'no operation': '3003020101',
    'universal op': '3007020101040241ff',
    'unknown application tag': '3006020101 5f1e00',
    'constructed octet string name': '3010020101600b020103240404020000008000',
    'bind version 0': '300c020101600702010004008000',
    'unbind with contents': '3006020101420100',
    'invalid UTF-8 DN': '300d020101600802010304 01ff 8000',
    'truncated length': '300c0201016007020103040080',
    'search missing fields': '300a020101630504000a0100',
    'empty substrings': '301e020101631904000a01000a0100020100020100010100 64040400 3000 3000',
    'control not a sequence': '3010020101 4200 a009 0407 312e322e332e34',
  };
  it.each(Object.entries(cases))('%s', (_name, h) => {
    expect(() => decodeMessage(hex(h))).toThrow(BerError);
  });
});

describe('framing', () => {
  it('reads short and long definite lengths', () => {
    expect(readFrameHeader(hex('300c'))).toEqual({ kind: 'frame', headerLength: 2, bodyLength: 12 });
    expect(readFrameHeader(hex('3082'))).toEqual({ kind: 'need', bytes: 2 });
    expect(readFrameHeader(hex('30820100'))).toEqual({ kind: 'frame', headerLength: 4, bodyLength: 256 });
    expect(readFrameHeader(hex('30'))).toEqual({ kind: 'need', bytes: 1 });
  });

  it('refuses other tags, indefinite and absurd lengths, and messages over the cap', () => {
    expect(() => readFrameHeader(hex('6100'))).toThrow(FrameError);
    expect(() => readFrameHeader(hex('3080'))).toThrow(/indefinite/);
    expect(() => readFrameHeader(hex('3085'))).toThrow(/bad-length/);
    expect(() => readFrameHeader(hex('3084ffffffff'))).toThrow(/too-large/);
    expect(() => readFrameHeader(hex('308300ffff'), 1024)).toThrow(/too-large/);
    expect(readFrameHeader(hex('308203f0'), 1024)).toEqual({ kind: 'frame', headerLength: 4, bodyLength: 1008 });
  });

  it('splits pipelined messages and keeps a partial one', () => {
    const a = encodeMessage({ messageId: 1, protocolOp: { op: 'unbindRequest' } });
    const b = encodeMessage({ messageId: 2, protocolOp: { op: 'extendedRequest', name: OID.whoAmI } });
    const { frames, rest } = splitFrames(Buffer.concat([a, b, b.subarray(0, 3)]));
    expect(frames).toEqual([a, b]);
    expect(rest).toEqual(b.subarray(0, 3));
  });
});

describe('fuzz: random and mutated input only ever gives a clean error', () => {
  const valid = OPS.map((op) => encodeMessage({ messageId: 9, protocolOp: op }));

  function tryDecode(bytes: Buffer): void {
    try {
      const header = readFrameHeader(bytes);
      if (header.kind === 'frame' && header.headerLength + header.bodyLength === bytes.length) decodeMessage(bytes);
      else decodeMessage(bytes);
    } catch (e) {
      if (!(e instanceof BerError) && !(e instanceof FrameError)) throw e;
    }
  }

  it('random bytes', () => {
    for (let i = 0; i < 3000; i++) tryDecode(randomBytes(1 + (i % 200)));
  });

  it('random bytes behind a valid SEQUENCE header', () => {
    for (let i = 0; i < 3000; i++) {
      const body = randomBytes(i % 120);
      tryDecode(Buffer.concat([Buffer.from([0x30, body.length]), body]));
    }
  });

  it('valid messages with flipped bytes', () => {
    for (let i = 0; i < 5000; i++) {
      const m = Buffer.from(valid[i % valid.length]!);
      const flips = 1 + (i % 3);
      for (let k = 0; k < flips; k++) m[Math.floor(Math.random() * m.length)] = Math.floor(Math.random() * 256);
      tryDecode(m);
    }
  });

  it('deeply nested constructed elements', () => {
    let inner = Buffer.from([0x04, 0x00]);
    for (let i = 0; i < 3000; i++) {
      const len = inner.length;
      const lenBytes = len < 128 ? Buffer.from([len]) : len < 256 ? Buffer.from([0x81, len]) : Buffer.from([0x82, len >> 8, len & 0xff]);
      inner = Buffer.concat([Buffer.from([0xa0]), lenBytes, inner]);
    }
    const msg = Buffer.concat([hex('02 01 01 63'), Buffer.from([0x83, 0, inner.length >> 8, inner.length & 0xff]), inner]);
    const whole = Buffer.concat([Buffer.from([0x30, 0x83, 0, msg.length >> 8, msg.length & 0xff]), msg]);
    expect(() => decodeMessage(whole)).toThrow(BerError);
  });
});
