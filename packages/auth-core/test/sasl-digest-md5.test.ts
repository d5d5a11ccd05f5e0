import { describe, expect, it } from 'vitest';
import { parseDirectives } from '../src/sasl/digest-md5-parse.js';
import { digestMd5Mechanism, digestMd5Response, type DigestMd5Inputs } from '../src/sasl/digest-md5.js';
import type { ServiceName } from '../src/settings.js';
import { challengeText, failureCode, fakeContext, send } from './sasl-fake-context.js';

const REALM = 'elwood.innosoft.com';
const NONCE = 'OA6MG9tEQGm2hh';
const CNONCE = 'OA6MHXh6VqTrRk';
const RFC_RESPONSE =
  'charset=utf-8,username="chris",realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",nc=00000001,' +
  'cnonce="OA6MHXh6VqTrRk",digest-uri="imap/elwood.innosoft.com",' +
  'response=d388dad90d4bbd760a152321f2143af7,qop=auth';

function rfcContext(extra: Parameters<typeof fakeContext>[0] = {}) {
  return fakeContext({
    users: { chris: 'secret' },
    nonces: [NONCE],
    conn: { serverName: REALM, service: 'imap' },
    ...extra,
  });
}

/** A response as a client computes it (with our own arithmetic, checked against the RFC above). */
function clientResponse(opts: {
  username: string;
  password: string;
  nonce: string;
  uri?: string;
  realm?: string;
  authzid?: string;
  charset?: boolean;
}): string {
  const realm = opts.realm ?? REALM;
  const uri = opts.uri ?? `imap/${REALM}`;
  // RFC 2831: ISO-8859-1 when every character fits, else UTF-8 (only possible with charset=utf-8)
  const enc = (s: string): Buffer =>
    [...s].every((c) => c.charCodeAt(0) <= 0xff) ? Buffer.from(s, 'latin1') : Buffer.from(s, 'utf8');
  const inputs: DigestMd5Inputs = {
    username: enc(opts.username),
    realm: enc(realm),
    password: opts.password,
    nonce: opts.nonce,
    cnonce: CNONCE,
    nc: '00000001',
    qop: 'auth',
    digestUri: uri,
    ...(opts.authzid ? { authzid: Buffer.from(opts.authzid, 'utf8') } : {}),
  };
  const q = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return [
    ...(opts.charset === false ? [] : ['charset=utf-8']),
    `username=${q(opts.username)}`,
    `realm=${q(realm)}`,
    `nonce=${q(opts.nonce)}`,
    'nc=00000001',
    `cnonce=${q(CNONCE)}`,
    `digest-uri=${q(uri)}`,
    `response=${digestMd5Response(inputs, false)}`,
    'qop=auth',
    ...(opts.authzid ? [`authzid=${q(opts.authzid)}`] : []),
  ].join(',');
}

describe('DIGEST-MD5 (RFC 2831)', () => {
  it('sends the challenge in the Cyrus SASL form with an issued nonce', async () => {
    const { ctx, calls } = rfcContext();
    const session = digestMd5Mechanism.create(ctx);
    expect(challengeText(await send(session, null))).toBe(
      'realm="elwood.innosoft.com",nonce="OA6MG9tEQGm2hh",qop="auth",charset=utf-8,algorithm=md5-sess',
    );
    expect(calls.issueNonce).toEqual([300]);
  });

  it('RFC 2831 example: chris/secret, response d388dad9..., rspauth ea40f603...', async () => {
    const { ctx, calls } = rfcContext();
    const session = digestMd5Mechanism.create(ctx);
    await send(session, null);
    expect(challengeText(await send(session, RFC_RESPONSE))).toBe('rspauth=ea40f60335c427b5527b84dbabcdfffd');
    expect(calls.completeSecretLogin).toEqual([{ authcid: 'chris@example.test', authzid: undefined }]);
    expect(calls.consumeNonce).toEqual([NONCE]);
    const done = await send(session, Buffer.alloc(0));
    expect(done.kind).toBe('success');
    expect(failureCode(await send(session, Buffer.alloc(0)))).toBe('malformed');
  });

  it('a replayed response fails: the nonce is single use', async () => {
    const { ctx, calls } = rfcContext({ nonces: [NONCE, NONCE] });
    const first = digestMd5Mechanism.create(ctx);
    await send(first, null);
    await send(first, RFC_RESPONSE);
    const replay = digestMd5Mechanism.create(ctx);
    await send(replay, null);
    // the fake issued the same nonce again but the cache only knows it once: the attacker's case
    ctx.consumeNonce = async () => false;
    expect(failureCode(await send(replay, RFC_RESPONSE))).toBe('bad-credentials');
    expect(calls.completeSecretLogin).toHaveLength(1);
  });

  it('an unknown nonce (not the one sent) fails before the store is asked', async () => {
    const { ctx, calls } = rfcContext({ nonces: ['another-nonce'] });
    const session = digestMd5Mechanism.create(ctx);
    await send(session, null);
    expect(failureCode(await send(session, RFC_RESPONSE))).toBe('bad-credentials');
    expect(calls.lookupSecret).toHaveLength(0);
  });

  it('a wrong password goes to failSecretLogin and sends no rspauth', async () => {
    const { ctx, calls } = rfcContext({ users: { chris: 'not-secret' } });
    const session = digestMd5Mechanism.create(ctx);
    await send(session, null);
    const step = await send(session, RFC_RESPONSE);
    expect(failureCode(step)).toBe('bad-credentials');
    expect(calls.failSecretLogin).toEqual(['chris@example.test']);
  });

  it('a policy failure in completeSecretLogin is returned at once, without rspauth', async () => {
    const { ctx } = rfcContext({ completeFailure: 'locked' });
    const session = digestMd5Mechanism.create(ctx);
    await send(session, null);
    expect(failureCode(await send(session, RFC_RESPONSE))).toBe('locked');
  });

  it('passes an authzid on and includes it in the hash', async () => {
    const { ctx, calls } = rfcContext({ nonces: ['n1'] });
    const session = digestMd5Mechanism.create(ctx);
    await send(session, null);
    const step = await send(session, clientResponse({ username: 'chris', password: 'secret', nonce: 'n1', authzid: 'boss' }));
    expect(challengeText(step)).toMatch(/^rspauth=[0-9a-f]{32}$/);
    expect(calls.completeSecretLogin).toEqual([{ authcid: 'chris@example.test', authzid: 'boss' }]);
  });

  it('keeps user@domain as sent, with any client realm entering only the hash', async () => {
    const { ctx, calls } = rfcContext({ users: { 'chris@other.test': 'secret' }, nonces: ['n2'] });
    const session = digestMd5Mechanism.create(ctx);
    await send(session, null);
    const step = await send(session, clientResponse({ username: 'chris@other.test', realm: 'other.test', password: 'secret', nonce: 'n2' }));
    expect(step.kind).toBe('continue');
    expect(calls.lookupSecret).toEqual(['chris@other.test']);
  });

  it('hashes UTF-8 names as ISO-8859-1 when they fit, and raw UTF-8 otherwise', async () => {
    for (const username of ['jürgen', 'юзер']) {
      const { ctx, calls } = rfcContext({ users: { [username]: 'pässwörd' }, nonces: ['n3'] });
      const session = digestMd5Mechanism.create(ctx);
      await send(session, null);
      const step = await send(session, clientResponse({ username, password: 'pässwörd', nonce: 'n3' }));
      expect(step.kind, username).toBe('continue');
      expect(calls.lookupSecret).toEqual([username]);
    }
  });

  it('without charset=utf-8 reads the user name as ISO-8859-1', async () => {
    const { ctx, calls } = rfcContext({ users: { 'jürgen': 'pässwörd' }, nonces: ['n4'] });
    const session = digestMd5Mechanism.create(ctx);
    await send(session, null);
    const response = clientResponse({ username: 'jürgen', password: 'pässwörd', nonce: 'n4', charset: false });
    const step = await send(session, Buffer.from(response, 'latin1'));
    expect(step.kind).toBe('continue');
    expect(calls.lookupSecret).toEqual(['jürgen']);
  });

  it.each<[ServiceName, string, boolean]>([
    ['pop', 'pop/host', true],
    ['pop', 'pop3/host', true],
    ['smtp', 'smtp/host', true],
    ['ldap', 'ldap/host/example.test', true],
    ['xmpp', 'xmpp/host', true],
    ['imap', 'smtp/host', false],
    ['smtp', 'imap/host', false],
  ])('service %s with digest-uri %s accepted: %s', async (service, uri, ok) => {
    const { ctx } = fakeContext({ users: { chris: 'secret' }, nonces: ['n5'], conn: { serverName: REALM, service } });
    const session = digestMd5Mechanism.create(ctx);
    await send(session, null);
    const step = await send(session, clientResponse({ username: 'chris', password: 'secret', nonce: 'n5', uri }));
    expect(step.kind === 'continue').toBe(ok);
  });

  const mutate = (from: string, to: string): string => RFC_RESPONSE.replace(from, to);
  it.each([
    ['nc 2', mutate('nc=00000001', 'nc=00000002')],
    ['qop auth-int', mutate('qop=auth', 'qop=auth-int')],
    ['duplicate username', `${RFC_RESPONSE},username="eve"`],
    ['missing cnonce', mutate('cnonce="OA6MHXh6VqTrRk",', '')],
    ['missing response', mutate('response=d388dad90d4bbd760a152321f2143af7,', '')],
    ['unterminated quote', mutate('username="chris"', 'username="chris')],
    ['bad charset', mutate('charset=utf-8', 'charset=latin1')],
    ['short response', mutate('d388dad90d4bbd760a152321f2143af7', 'd388dad9')],
    ['garbage', '\u0001\u0002 not directives'],
    ['bad digest-uri', mutate('imap/elwood.innosoft.com', 'imap')],
    ['empty username', mutate('username="chris"', 'username=""')],
  ])('rejects %s as malformed without using the nonce', async (_label, response) => {
    const { ctx, calls } = rfcContext();
    const session = digestMd5Mechanism.create(ctx);
    await send(session, null);
    expect(failureCode(await send(session, response))).toBe('malformed');
    expect(calls.lookupSecret).toHaveLength(0);
  });

  it('rejects an over-long response, an initial response, and non-empty input after rspauth', async () => {
    const { ctx } = rfcContext({ nonces: [NONCE, NONCE] });
    const long = digestMd5Mechanism.create(ctx);
    await send(long, null);
    expect(failureCode(await send(long, `${RFC_RESPONSE},x="${'a'.repeat(5000)}"`))).toBe('malformed');
    expect(failureCode(await send(digestMd5Mechanism.create(ctx), RFC_RESPONSE))).toBe('malformed');
    const s = digestMd5Mechanism.create(ctx);
    await send(s, null);
    await send(s, RFC_RESPONSE);
    expect(failureCode(await send(s, 'rspauth=x'))).toBe('malformed');
  });

  it('parses quoted strings with escapes, tokens, LWS and empty list elements', () => {
    const r = parseDirectives(' a = "x\\"y\\\\z" ,, B=tok , c=""');
    expect(r).toEqual({ ok: true, directives: new Map([['a', 'x"y\\z'], ['b', 'tok'], ['c', '']]) });
    expect(parseDirectives('a=1,A=2').ok).toBe(false);
    expect(parseDirectives('a=1 b=2').ok).toBe(false);
    expect(parseDirectives('=1').ok).toBe(false);
  });
});
