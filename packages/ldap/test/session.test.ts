import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProtocolOp, RequestOp, SearchRequest } from '../src/codec/index.js';
import { LdapTestClient, saslBind, simpleBind, startTls, whoAmI } from './support/client.js';
import { PASSWORD, startLdapServer, type ServerOptions, type TestServer } from './support/server.js';

let server: TestServer | undefined;
const clients: LdapTestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.end();
  await server?.close();
  server = undefined;
});

async function open(opts: ServerOptions = {}, clientTls = false): Promise<LdapTestClient> {
  server = await startLdapServer(opts);
  return connect(clientTls);
}

async function connect(clientTls = false): Promise<LdapTestClient> {
  const c = await LdapTestClient.connect(server!.port, { tls: clientTls });
  clients.push(c);
  return c;
}

const search = (over: Partial<SearchRequest> = {}): SearchRequest => ({
  op: 'searchRequest',
  baseObject: 'dc=example,dc=test',
  scope: 2,
  derefAliases: 0,
  sizeLimit: 0,
  timeLimit: 0,
  typesOnly: false,
  filter: { type: 'present', attribute: 'objectClass' },
  attributes: [],
  ...over,
});

function entryDns(ops: ProtocolOp[]): string[] {
  return ops.flatMap((o) => (o.op === 'searchResultEntry' ? [o.objectName] : []));
}

function attrs(op: ProtocolOp | undefined): Record<string, string[]> {
  if (op?.op !== 'searchResultEntry') throw new Error(`not an entry: ${JSON.stringify(op)}`);
  return Object.fromEntries(op.attributes.map((a) => [a.type, a.values.map(String)]));
}

async function whoami(c: LdapTestClient): Promise<string> {
  const r = await c.one(whoAmI);
  expect(r).toMatchObject({ op: 'extendedResponse', resultCode: 0 });
  return String((r as { value?: Buffer }).value ?? '');
}

async function expectNotice(c: LdapTestClient, resultCode: number): Promise<string> {
  const m = await c.next();
  expect(m).toMatchObject({ messageId: 0, protocolOp: { op: 'extendedResponse', resultCode, name: '1.3.6.1.4.1.1466.20036' } });
  await c.waitClosed();
  return (m!.protocolOp as { diagnosticMessage: string }).diagnosticMessage;
}

describe('simple bind', () => {
  it.each(['alice@example.test', 'uid=alice,dc=example,dc=test', 'mail=alice@example.test,ou=people,dc=example,dc=test', 'uid=alice,ou=people,dc=example,dc=test'])(
    'binds as %s; Who am I? answers u:alice@example.test',
    async (name) => {
      const c = await open();
      expect(await whoami(c)).toBe('');
      expect(await c.one(simpleBind(name, PASSWORD))).toMatchObject({ op: 'bindResponse', resultCode: 0 });
      expect(await whoami(c)).toBe('u:alice@example.test');
    },
  );

  it('a wrong password is invalidCredentials with the reason, and leaves the connection anonymous', async () => {
    const c = await open();
    await c.one(simpleBind('alice@example.test', PASSWORD));
    const r = await c.one(simpleBind('alice@example.test', 'wrong'));
    expect(r).toMatchObject({ resultCode: 49, diagnosticMessage: expect.stringMatching(/\S/) });
    expect(await whoami(c)).toBe('');
    expect(server!.logs.join('')).not.toContain(PASSWORD);
  });

  it('unknown accounts and DNs that name none are invalidCredentials', async () => {
    const c = await open();
    expect(await c.one(simpleBind('nobody@example.test', 'x'))).toMatchObject({ resultCode: 49 });
    expect(await c.one(simpleBind('cn=admin,dc=example,dc=test', 'x'))).toMatchObject({ resultCode: 49 });
  });

  it('a name without a password is refused (RFC 4513 5.1.2); empty name and password is anonymous', async () => {
    const c = await open();
    expect(await c.one(simpleBind('alice@example.test', ''))).toMatchObject({ resultCode: 53 });
    expect(await c.one(simpleBind('', ''))).toMatchObject({ resultCode: 0 });
    expect(await whoami(c)).toBe('');
  });

  it('secureMethodRequired: confidentialityRequired on a plain link, success after StartTLS', async () => {
    const c = await open({ tls: 'starttls' });
    expect(await c.one(simpleBind('carol@example.test', PASSWORD))).toMatchObject({ resultCode: 13 });
    expect(await c.one(startTls)).toMatchObject({ resultCode: 0, name: '1.3.6.1.4.1.1466.20037' });
    await c.upgrade();
    expect(await c.one(simpleBind('carol@example.test', PASSWORD))).toMatchObject({ resultCode: 0 });
    expect(await whoami(c)).toBe('u:carol@example.test');
  });

  it('only version 3: others are protocolError', async () => {
    const c = await open();
    expect(await c.one({ ...simpleBind('alice@example.test', PASSWORD), version: 2 } as RequestOp)).toMatchObject({ resultCode: 2 });
    expect(await whoami(c)).toBe('');
  });
});

describe('SASL bind', () => {
  it('PLAIN with the credentials in the first request', async () => {
    const c = await open();
    const r = await c.one(saslBind('PLAIN', Buffer.from(`\0alice@example.test\0${PASSWORD}`)));
    expect(r).toMatchObject({ resultCode: 0 });
    expect(await whoami(c)).toBe('u:alice@example.test');
  });

  it('CRAM-MD5 in two steps through saslBindInProgress', async () => {
    const c = await open();
    const first = (await c.one(saslBind('CRAM-MD5'))) as { resultCode: number; serverSaslCreds?: Buffer };
    expect(first.resultCode).toBe(14);
    const challenge = first.serverSaslCreds!;
    expect(challenge.toString()).toMatch(/^<.+>$/);
    const digest = createHmac('md5', PASSWORD).update(challenge).digest('hex');
    expect(await c.one(saslBind('CRAM-MD5', Buffer.from(`alice@example.test ${digest}`)))).toMatchObject({ resultCode: 0 });
    expect(await whoami(c)).toBe('u:alice@example.test');
  });

  it('a wrong CRAM-MD5 digest is invalidCredentials', async () => {
    const c = await open();
    await c.one(saslBind('CRAM-MD5'));
    expect(await c.one(saslBind('CRAM-MD5', Buffer.from(`alice@example.test ${'0'.repeat(32)}`)))).toMatchObject({ resultCode: 49 });
  });

  it('a new bind aborts the exchange in progress; an empty mechanism aborts it too', async () => {
    const c = await open();
    expect(await c.one(saslBind('CRAM-MD5'))).toMatchObject({ resultCode: 14 });
    expect(await c.one(simpleBind('bob@example.test', PASSWORD))).toMatchObject({ resultCode: 0 });
    expect(await c.one(saslBind('CRAM-MD5'))).toMatchObject({ resultCode: 14 });
    expect(await c.one(saslBind(''))).toMatchObject({ resultCode: 7 });
    expect(await whoami(c)).toBe('');
  });

  it('an unknown mechanism is authMethodNotSupported', async () => {
    const c = await open();
    expect(await c.one(saslBind('X-NOPE'))).toMatchObject({ resultCode: 7 });
  });

  it('PLAIN for a secureMethodRequired account on a plain link is confidentialityRequired', async () => {
    const c = await open();
    expect(await c.one(saslBind('PLAIN', Buffer.from(`\0carol@example.test\0${PASSWORD}`)))).toMatchObject({ resultCode: 13 });
  });
});

describe('root DSE and search', () => {
  it('anonymous clients read the root DSE and nothing else', async () => {
    const c = await open({ tls: 'starttls' });
    const ops = await c.request(search({ baseObject: '', scope: 0 }));
    const dse = attrs(ops[0]);
    expect(dse.supportedSASLMechanisms).toContain('CRAM-MD5');
    expect(dse.supportedSASLMechanisms).toContain('SCRAM-SHA-256');
    expect(dse.supportedLDAPVersion).toEqual(['3']);
    expect(dse.namingContexts).toEqual(['dc=example,dc=test']);
    expect(dse.supportedExtension).toEqual(['1.3.6.1.4.1.1466.20037', '1.3.6.1.4.1.4203.1.11.3']);
    expect(dse.vendorName).toEqual(['Portcullis']);
    expect(ops[1]).toMatchObject({ op: 'searchResultDone', resultCode: 0 });
    expect(await c.request(search())).toEqual([expect.objectContaining({ op: 'searchResultDone', resultCode: 50 })]);
  });

  it('after bind: the domain and its accounts as inetOrgPerson entries, with filters and attribute selection', async () => {
    const c = await open();
    await c.one(simpleBind('alice@example.test', PASSWORD));
    const all = await c.request(search());
    expect(entryDns(all)).toEqual([
      'dc=example,dc=test',
      'uid=alice,dc=example,dc=test',
      'uid=bob,dc=example,dc=test',
      'uid=carol,dc=example,dc=test',
    ]);
    expect(attrs(all[1])).toEqual({
      objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
      uid: ['alice'],
      mail: ['alice@example.test'],
      cn: ['alice'],
      sn: ['alice'],
    });
    const filtered = await c.request(
      search({
        filter: {
          type: 'and',
          filters: [
            { type: 'equality', attribute: 'objectClass', value: Buffer.from('inetOrgPerson') },
            { type: 'not', filter: { type: 'substrings', attribute: 'mail', initial: Buffer.from('b'), any: [] } },
          ],
        },
        attributes: ['mail'],
      }),
    );
    expect(entryDns(filtered)).toEqual(['uid=alice,dc=example,dc=test', 'uid=carol,dc=example,dc=test']);
    expect(attrs(filtered[0])).toEqual({ mail: ['alice@example.test'] });
  });

  it('size limits give sizeLimitExceeded after the allowed entries', async () => {
    const c = await open({ options: { sizeLimit: 3 } });
    await c.one(simpleBind('alice@example.test', PASSWORD));
    const client = await c.request(search({ sizeLimit: 1 }));
    expect(entryDns(client)).toHaveLength(1);
    expect(client.at(-1)).toMatchObject({ op: 'searchResultDone', resultCode: 4 });
    const capped = await c.request(search());
    expect(entryDns(capped)).toHaveLength(3);
    expect(capped.at(-1)).toMatchObject({ resultCode: 4 });
  });

  it('a base outside the directory is noSuchObject', async () => {
    const c = await open();
    await c.one(simpleBind('alice@example.test', PASSWORD));
    expect((await c.request(search({ baseObject: 'dc=other,dc=test' }))).at(-1)).toMatchObject({ resultCode: 32 });
  });

  it('updates are unwillingToPerform, with the right response for each', async () => {
    const c = await open();
    await c.one(simpleBind('alice@example.test', PASSWORD));
    const dn = 'uid=alice,dc=example,dc=test';
    expect(await c.one({ op: 'modifyRequest', object: dn })).toMatchObject({ op: 'modifyResponse', resultCode: 53 });
    expect(await c.one({ op: 'addRequest', entry: dn })).toMatchObject({ op: 'addResponse', resultCode: 53 });
    expect(await c.one({ op: 'delRequest', entry: dn })).toMatchObject({ op: 'delResponse', resultCode: 53 });
    expect(await c.one({ op: 'modifyDNRequest', entry: dn })).toMatchObject({ op: 'modDNResponse', resultCode: 53 });
    expect(await c.one({ op: 'compareRequest', entry: dn })).toMatchObject({ op: 'compareResponse', resultCode: 53 });
  });
});

describe('extended operations and controls', () => {
  it('unknown extended operations are protocolError; a critical unknown control is unavailableCriticalExtension', async () => {
    const c = await open();
    expect(await c.one({ op: 'extendedRequest', name: '1.2.3.4' })).toMatchObject({ resultCode: 2 });
    const [r] = await c.request(whoAmI, [{ type: '1.2.3.4.5', critical: true }]);
    expect(r).toMatchObject({ resultCode: 12 });
    const [ok] = await c.request(whoAmI, [{ type: '1.2.3.4.5', critical: false }]);
    expect(ok).toMatchObject({ resultCode: 0 });
  });

  it('StartTLS: refused where the listener has none, and a second time', async () => {
    const plain = await open();
    expect(await plain.one(startTls)).toMatchObject({ resultCode: 52 });
    await server!.close();
    const c = await open({ tls: 'starttls' });
    expect(await c.one(startTls)).toMatchObject({ resultCode: 0 });
    await c.upgrade();
    expect(await c.one(startTls)).toMatchObject({ resultCode: 1 });
    expect(await c.one(simpleBind('alice@example.test', PASSWORD))).toMatchObject({ resultCode: 0 });
  });

  it('implicit TLS (ldaps)', async () => {
    const c = await open({ tls: 'implicit' }, true);
    expect(await c.one(simpleBind('carol@example.test', PASSWORD))).toMatchObject({ resultCode: 0 });
  });

  it('abandon is ignored and unbind closes without a response', async () => {
    const c = await open();
    c.send({ op: 'abandonRequest', messageId: 1 });
    expect(await whoami(c)).toBe('');
    c.send({ op: 'unbindRequest' });
    expect(await c.next()).toBeUndefined();
  });
});

describe('robustness', () => {
  it('bad BER: a Notice of Disconnection with protocolError, then close; the server goes on', async () => {
    const c = await open();
    c.raw(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    expect(await expectNotice(c, 2)).toMatch(/malformed/);
    const d = await connect();
    d.raw(Buffer.from('300c020101600702010304ff8000', 'hex'));
    await expectNotice(d, 2);
    const e = await connect();
    expect(await e.one(simpleBind('alice@example.test', PASSWORD))).toMatchObject({ resultCode: 0 });
  });

  it('an over-size message is refused before its body is read', async () => {
    const c = await open({ options: { maxMessageSize: 1024 } });
    c.raw(Buffer.from('308400100000', 'hex'));
    expect(await expectNotice(c, 2)).toMatch(/too large/);
  });

  it('a response sent by the client ends the session', async () => {
    const c = await open();
    c.send({ op: 'bindResponse', resultCode: 0, matchedDN: '', diagnosticMessage: '' } as unknown as RequestOp);
    await expectNotice(c, 2);
  });

  it('too many bad requests close the connection', async () => {
    const c = await open({ options: { maxBadRequests: 3 } });
    for (let i = 0; i < 2; i++) expect(await c.one({ op: 'extendedRequest', name: '1.2' })).toMatchObject({ resultCode: 2 });
    c.send({ op: 'extendedRequest', name: '1.2' });
    expect(await c.next()).toMatchObject({ protocolOp: { resultCode: 2 } });
    expect(await expectNotice(c, 2)).toMatch(/too many/);
  });

  it('an idle client gets a notice and is closed', async () => {
    const c = await open({ idleTimeoutSec: 0.3 });
    expect(await expectNotice(c, 52)).toMatch(/idle/);
  });

  it('a client address refusal at connect is a notice (unavailable) and a close', async () => {
    const c = await open({
      wrap: (auth) => ({
        ...auth,
        advertise: auth.advertise.bind(auth),
        checkClientAddress: async () => ({ code: 'client-address', message: 'not a client address' }),
      }),
    });
    expect(await expectNotice(c, 52)).toBe('not a client address');
  });

  it('disconnects mid-bind and mid-message leave the server serving', async () => {
    const c = await open();
    expect(await c.one(saslBind('CRAM-MD5'))).toMatchObject({ resultCode: 14 });
    c.end();
    const d = await connect();
    d.raw(Buffer.from('3082ffff0201', 'hex'));
    d.end();
    const e = await connect();
    expect(await e.one(simpleBind('alice@example.test', PASSWORD))).toMatchObject({ resultCode: 0 });
  });
});
