import { createHash, createHmac, randomBytes, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TlsChannel } from '../src/connection.js';
import type { MechanismSession } from '../src/sasl/mechanism.js';
import {
  availableChannelBindings,
  channelBindingData,
  serverEndPointHash,
} from '../src/sasl/scram-channel-binding.js';
import { decodeSaslName, encodeSaslName } from '../src/sasl/scram-messages.js';
import {
  createScramMechanism,
  scramKeys,
  scramSha1Mechanism,
  scramSha1PlusMechanism,
  scramSha256Mechanism,
  scramSha256PlusMechanism,
  type ScramHash,
} from '../src/sasl/scram.js';
import { challengeText, failureCode, fakeContext, fakeTls, send } from './sasl-fake-context.js';

/* Test certificates made with openssl (100-year validity), one per signature hash family. */
const ec_sha1_PEM = `-----BEGIN CERTIFICATE-----
MIIBeDCCASCgAwIBAgIUOFvWk1/OrrV7H+mOG0lgFqIHSQUwCQYHKoZIzj0EATAS
MRAwDgYDVQQDDAdjYi1zaGExMCAXDTI2MTEyODE1NDA0MloYDzIxMjYxMTA0MTU0
MDQyWjASMRAwDgYDVQQDDAdjYi1zaGExMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcD
QgAEviMlq7daSuFAsFRAAYJSCy0Wd9xAE35HQssIsO2CLB7uHIFubR2N/e3UBvn6
g9CThunjq5UaGET71HVADTDVlKNTMFEwHQYDVR0OBBYEFE5BDuC37bD6cmqsAxwy
1Ds5iAJzMB8GA1UdIwQYMBaAFE5BDuC37bD6cmqsAxwy1Ds5iAJzMA8GA1UdEwEB
/wQFMAMBAf8wCQYHKoZIzj0EAQNHADBEAiBk4RkjpqRd1Rd7Wu2NlvFLH2a6POp6
UtewXbk4mLGwKwIgNjOn3nAAhd9AAXlRoHc+ZzWfDSZioOqW/quuZ3qtrAg=
-----END CERTIFICATE-----`;
const ec_sha256_PEM = `-----BEGIN CERTIFICATE-----
MIIBfzCCASWgAwIBAgIUPDi8tNzViXHyPcwVsY5AAF+XlxwwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJY2Itc2hhMjU2MCAXDTI2MTEyODE1NDA0MloYDzIxMjYxMTA0
MTU0MDQyWjAUMRIwEAYDVQQDDAljYi1zaGEyNTYwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAS+IyWrt1pK4UCwVEABglILLRZ33EATfkdCywiw7YIsHu4cgW5tHY39
7dQG+fqD0JOG6eOrlRoYRPvUdUANMNWUo1MwUTAdBgNVHQ4EFgQUTkEO4LftsPpy
aqwDHDLUOzmIAnMwHwYDVR0jBBgwFoAUTkEO4LftsPpyaqwDHDLUOzmIAnMwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiBYDNEZEkQZTeUPbpote2Mi
0NgQl/vOA+dtHwCE6XqSZQIhAJSh884EIVPu9ymlEki8RpF4nMYG48crkw6TuOjy
byL6
-----END CERTIFICATE-----`;
const ec_sha384_PEM = `-----BEGIN CERTIFICATE-----
MIIBfzCCASWgAwIBAgIUMmXUkKL9U8sy9CuOLlbvSFME/oowCgYIKoZIzj0EAwMw
FDESMBAGA1UEAwwJY2Itc2hhMzg0MCAXDTI2MTEyODE1NDA0MloYDzIxMjYxMTA0
MTU0MDQyWjAUMRIwEAYDVQQDDAljYi1zaGEzODQwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAS+IyWrt1pK4UCwVEABglILLRZ33EATfkdCywiw7YIsHu4cgW5tHY39
7dQG+fqD0JOG6eOrlRoYRPvUdUANMNWUo1MwUTAdBgNVHQ4EFgQUTkEO4LftsPpy
aqwDHDLUOzmIAnMwHwYDVR0jBBgwFoAUTkEO4LftsPpyaqwDHDLUOzmIAnMwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAwNIADBFAiEAyD9EvjxOsz8eBWBE6Lyq
VkUXEmuNjbmBPTkEU7H75rACIC+BNUvUHZJY2AqRof/QecvYIBJ7E08Wb+lHP/pP
2yBH
-----END CERTIFICATE-----`;
const ed_PEM = `-----BEGIN CERTIFICATE-----
MIIBQDCB86ADAgECAhQYqXN4qEPg0CKjEd4poI1/VgkivDAFBgMrZXAwFTETMBEG
A1UEAwwKY2ItZWQyNTUxOTAgFw0yNjExMjgxNTQwNDJaGA8yMTI2MTEwNDE1NDA0
MlowFTETMBEGA1UEAwwKY2ItZWQyNTUxOTAqMAUGAytlcAMhAHPelBVBDrqrWbrR
TE9bpiTs18+JRAzGjdixdBJ1NfHio1MwUTAdBgNVHQ4EFgQUYVxHtzTUlD1ni9t7
lyKva0KoBuIwHwYDVR0jBBgwFoAUYVxHtzTUlD1ni9t7lyKva0KoBuIwDwYDVR0T
AQH/BAUwAwEB/zAFBgMrZXADQQB0bOzToCW7uey/JnKP7IL6ZVwsQg7rtez9R8Z4
ST042NlEMnz8dD6V4fvzkhC0LwPNuehtD3NFmCN4DuVWS70N
-----END CERTIFICATE-----`;
const pss_PEM = `-----BEGIN CERTIFICATE-----
MIICZjCCAZugAwIBAgIUGFGyQfNfmpk5C+UJWBCh8PLrXO8wQQYJKoZIhvcNAQEK
MDSgDzANBglghkgBZQMEAgIFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgIF
AKIDAgEgMBExDzANBgNVBAMMBmNiLXBzczAgFw0yNjExMjgxNTQwNDJaGA8yMTI2
MTEwNDE1NDA0MlowETEPMA0GA1UEAwwGY2ItcHNzMIGdMAsGCSqGSIb3DQEBCgOB
jQAwgYkCgYEAsh/4XGZzUMxTNJ/MIrUNmkb/0snLUkqJ5XnycgnlebAUfAz9Bps+
R/T4Po0FVdkEG5XUX5oDN5/LKkt9xgKkbd6P4Wug9Q/0uhbL5tPKA2UeY7EqmL5S
o1+nBH3buCCORj2QkrUXaVKmZTel0qVT1oWYaI42YWYs+xOVj3XeBEcCAwEAAaNT
MFEwHQYDVR0OBBYEFB+r+DXEV/CESD8uwUqrX18eY607MB8GA1UdIwQYMBaAFB+r
+DXEV/CESD8uwUqrX18eY607MA8GA1UdEwEB/wQFMAMBAf8wQQYJKoZIhvcNAQEK
MDSgDzANBglghkgBZQMEAgIFAKEcMBoGCSqGSIb3DQEBCDANBglghkgBZQMEAgIF
AKIDAgEgA4GBAGULSJ2iaBFJ/F/TzwCpaGDz3yiA4VlQjMnDdmNTDGUI0ekkv0mC
FPevELpyNdLQbzcYWzehy1A24a7G7adwL8v4DrmLkLP3OGDmg/rd1xVIsejehUtw
iUKLFyNS8IyOc8Ydjk8nvqJwt5Mx7EAwNormHaCoYa+Xje0PvRUDWZFW
-----END CERTIFICATE-----`;

const der = (pem: string): Buffer => new X509Certificate(pem).raw;

describe('SCRAM RFC vectors', () => {
  it('RFC 5802 SCRAM-SHA-1 user/pencil exchange', async () => {
    const mech = createScramMechanism({
      hash: 'sha1',
      plus: false,
      random: { serverNonce: () => '3rfcNHYJY1ZVvWVs7j', salt: () => Buffer.from('QSXCR+Q6sek8bf92', 'base64') },
    });
    const { ctx, calls } = fakeContext({ users: { user: 'pencil' } });
    const session = mech.create(ctx);
    expect(challengeText(await send(session, 'n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL'))).toBe(
      'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096',
    );
    const final = await send(session, 'c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=');
    expect(final.kind).toBe('success');
    expect(final.kind === 'success' && final.data?.toString()).toBe('v=rmF9pqV8S7suAoZWja4dJRkFsKQ=');
    expect(calls.completeSecretLogin).toEqual([{ authcid: 'user@example.test', authzid: undefined }]);
  });

  it('RFC 7677 SCRAM-SHA-256 user/pencil exchange', async () => {
    const mech = createScramMechanism({
      hash: 'sha256',
      plus: false,
      random: {
        serverNonce: () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
        salt: () => Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
      },
    });
    const { ctx } = fakeContext({ users: { user: 'pencil' } });
    const session = mech.create(ctx);
    expect(challengeText(await send(session, null))).toBe('');
    expect(challengeText(await send(session, 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO'))).toBe(
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    const final = await send(
      session,
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    expect(final.kind === 'success' && final.data?.toString()).toBe('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });
});

/** A SCRAM client, written independently of the server module except for the shared key arithmetic. */
async function runClient(
  session: MechanismSession,
  opts: {
    hash: ScramHash;
    user: string;
    password: string;
    gs2: string;
    cbData?: Buffer;
    tamperProof?: boolean;
    tamperCb?: Buffer;
  },
) {
  const cnonce = randomBytes(12).toString('base64');
  const bare = `n=${encodeSaslName(opts.user)},r=${cnonce}`;
  const first = await send(session, `${opts.gs2}${bare}`);
  if (first.kind !== 'continue') return { first, final: null };
  const serverFirst = first.challenge.toString();
  const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
  expect(attrs.r?.startsWith(cnonce)).toBe(true);
  const salted = await new Promise<Buffer>((resolve, reject) => {
    import('node:crypto').then(({ pbkdf2 }) =>
      pbkdf2(opts.password.normalize('NFKC'), Buffer.from(attrs.s as string, 'base64'), Number(attrs.i), opts.hash === 'sha1' ? 20 : 32, opts.hash, (e, k) => (e ? reject(e) : resolve(k))),
    );
  });
  const clientKey = createHmac(opts.hash, salted).update('Client Key').digest();
  const storedKey = createHash(opts.hash).update(clientKey).digest();
  const cbInput = opts.tamperCb ?? Buffer.concat([Buffer.from(opts.gs2), opts.cbData ?? Buffer.alloc(0)]);
  const withoutProof = `c=${cbInput.toString('base64')},r=${attrs.r}`;
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  const signature = createHmac(opts.hash, storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, k) => b ^ (signature[k] as number)));
  if (opts.tamperProof) proof[0] = (proof[0] as number) ^ 1;
  const final = await send(session, `${withoutProof},p=${proof.toString('base64')}`);
  const serverKey = createHmac(opts.hash, salted).update('Server Key').digest();
  const expectedV = `v=${createHmac(opts.hash, serverKey).update(authMessage).digest('base64')}`;
  return { first, final, expectedV };
}

const users = { alice: 'correct horse', 'we,ird=name': 'p' };

describe('SCRAM exchanges with a test client', () => {
  it.each([
    ['SCRAM-SHA-1', scramSha1Mechanism, 'sha1'],
    ['SCRAM-SHA-256', scramSha256Mechanism, 'sha256'],
  ] as const)('%s logs in, and the success data is the server signature', async (_n, mech, hash) => {
    const { ctx } = fakeContext({ users });
    const { final, expectedV } = await runClient(mech.create(ctx), { hash, user: 'alice', password: 'correct horse', gs2: 'n,,' });
    expect(final?.kind).toBe('success');
    expect(final?.kind === 'success' && final.data?.toString()).toBe(expectedV);
  });

  it('decodes =2C and =3D in the user name and passes a= on as the authzid', async () => {
    const { ctx, calls } = fakeContext({ users });
    const { first, final } = await runClient(scramSha256Mechanism.create(ctx), {
      hash: 'sha256',
      user: 'we,ird=name',
      password: 'p',
      gs2: 'n,a=boss=40example.test,',
    });
    expect(failureCode(first)).toBe('malformed'); // "=40" is not a valid saslname escape
    expect(final).toBeNull();
    const again = fakeContext({ users });
    const ok = await runClient(scramSha256Mechanism.create(again.ctx), { hash: 'sha256', user: 'we,ird=name', password: 'p', gs2: 'n,a=boss,' });
    expect(ok.final?.kind).toBe('success');
    expect(again.calls.lookupSecret).toEqual(['we,ird=name']);
    expect(again.calls.completeSecretLogin).toEqual([{ authcid: 'we,ird=name@example.test', authzid: 'boss' }]);
    expect(calls.lookupSecret).toEqual([]);
  });

  it('applies SASLprep to the user name and the stored password', async () => {
    // U+00AD (soft hyphen) maps to nothing; U+2168 (ROMAN NUMERAL NINE) normalises to "IX"
    const { ctx, calls } = fakeContext({ users: { alice: 'pass\u2168' } });
    const { final } = await runClient(scramSha256Mechanism.create(ctx), { hash: 'sha256', user: 'al\u00adice', password: 'passIX', gs2: 'n,,' });
    expect(final?.kind).toBe('success');
    expect(calls.lookupSecret).toEqual(['alice']);
  });

  it('a wrong password goes to failSecretLogin, with no server signature', async () => {
    const { ctx, calls } = fakeContext({ users });
    const { final } = await runClient(scramSha1Mechanism.create(ctx), { hash: 'sha1', user: 'alice', password: 'wrong', gs2: 'n,,' });
    expect(failureCode(final!)).toBe('bad-credentials');
    expect(final && 'data' in final).toBe(false);
    expect(calls.failSecretLogin).toEqual(['alice@example.test']);
    expect(calls.completeSecretLogin).toHaveLength(0);
  });

  it('a tampered proof fails', async () => {
    const { ctx } = fakeContext({ users });
    const { final } = await runClient(scramSha256Mechanism.create(ctx), { hash: 'sha256', user: 'alice', password: 'correct horse', gs2: 'n,,', tamperProof: true });
    expect(failureCode(final!)).toBe('bad-credentials');
  });

  it('a one-way stored password ends the exchange at the first message', async () => {
    const { ctx } = fakeContext({ users, oneWay: ['alice'] });
    expect(failureCode(await send(scramSha256Mechanism.create(ctx), 'n,,n=alice,r=abc'))).toBe('unsupported-credential');
  });

  it('an unknown account gets a server-first like any other and fails after the proof', async () => {
    const { ctx, calls } = fakeContext({ users });
    const { first, final } = await runClient(scramSha256Mechanism.create(ctx), { hash: 'sha256', user: 'nobody', password: 'x', gs2: 'n,,' });
    expect(challengeText(first)).toMatch(/^r=[^,]+,s=[^,]+,i=4096$/);
    expect(failureCode(final!)).toBe('unknown-account');
    expect(calls.failSecretLogin).toHaveLength(0);
  });

  it('a policy failure in completeSecretLogin is returned without v=', async () => {
    const { ctx } = fakeContext({ users, completeFailure: 'locked' });
    const { final } = await runClient(scramSha256Mechanism.create(ctx), { hash: 'sha256', user: 'alice', password: 'correct horse', gs2: 'n,,' });
    expect(failureCode(final!)).toBe('locked');
  });

  it.each([
    ['no gs2 header', 'n=alice,r=abc'],
    ['bad flag', 'x,,n=alice,r=abc'],
    ['mandatory extension', 'n,,m=ext,n=alice,r=abc'],
    ['bad saslname escape', 'n,,n=al=ice,r=abc'],
    ['nonce with a control char', 'n,,n=alice,r=a\u0001b'],
    ['empty nonce', 'n,,n=alice,r='],
    ['p= on a non-PLUS mechanism', 'p=tls-exporter,,n=alice,r=abc'],
    ['prohibited SASLprep character', 'n,,n=al\u0007ice,r=abc'],
    ['empty message', ''],
  ])('client-first %s is malformed', async (_label, message) => {
    const { ctx, calls } = fakeContext({ users });
    expect(failureCode(await send(scramSha256Mechanism.create(ctx), message))).toBe('malformed');
    expect(calls.lookupSecret).toHaveLength(0);
  });

  it.each([
    ['wrong nonce', (r: string) => `c=biws,r=${r}x,p=AAAA`],
    ['bad base64 proof', (r: string) => `c=biws,r=${r},p=!!!`],
    ['short proof', (r: string) => `c=biws,r=${r},p=AAAA`],
    ['missing proof', (r: string) => `c=biws,r=${r}`],
    ['junk', () => 'hello'],
  ])('client-final %s is malformed', async (_label, build) => {
    const { ctx, calls } = fakeContext({ users });
    const session = scramSha1Mechanism.create(ctx);
    const serverFirst = challengeText(await send(session, 'n,,n=alice,r=abc'));
    const r = serverFirst.split(',')[0]!.slice(2);
    expect(failureCode(await send(session, build(r)))).toBe('malformed');
    expect(calls.failSecretLogin).toHaveLength(0);
  });

  it('fails steps after the outcome and over-long input', async () => {
    const { ctx } = fakeContext({ users });
    const session = scramSha256Mechanism.create(ctx);
    await runClient(session, { hash: 'sha256', user: 'alice', password: 'correct horse', gs2: 'n,,' });
    expect(failureCode(await send(session, 'n,,n=alice,r=abc'))).toBe('malformed');
    expect(failureCode(await send(scramSha256Mechanism.create(ctx), `n,,n=alice,r=${'a'.repeat(10_000)}`))).toBe('malformed');
  });

  it('mechanism metadata and iterations option', async () => {
    expect(scramSha256PlusMechanism).toMatchObject({ name: 'SCRAM-SHA-256-PLUS', requiresTls: true, loginMethod: 'SCRAM', credential: 'stored-secret', cleartext: false });
    expect(scramSha1Mechanism).toMatchObject({ name: 'SCRAM-SHA-1', requiresTls: false, loginMethod: 'SCRAM' });
    const { ctx } = fakeContext({ users });
    const mech = createScramMechanism({ hash: 'sha256', plus: false, iterations: 8192 });
    expect(challengeText(await send(mech.create(ctx), 'n,,n=alice,r=abc'))).toMatch(/,i=8192$/);
    expect(() => createScramMechanism({ hash: 'sha1', plus: false, iterations: 0 })).toThrow(RangeError);
    const salt = Buffer.from('QSXCR+Q6sek8bf92', 'base64');
    const keys = await scramKeys('sha1', 'pencil', salt, 4096);
    expect(keys.storedKey).toHaveLength(20);
  });
});

describe('SCRAM -PLUS channel binding', () => {
  const certDer = der(ec_sha256_PEM);
  const tls13: TlsChannel = fakeTls('TLSv1.3', certDer);
  const tls12: TlsChannel = fakeTls('TLSv1.2', certDer);
  const secure = (tls: TlsChannel) => ({ users, conn: { secure: true, tls } });

  it.each([
    ['SCRAM-SHA-256-PLUS', scramSha256PlusMechanism, 'sha256'],
    ['SCRAM-SHA-1-PLUS', scramSha1PlusMechanism, 'sha1'],
  ] as const)('%s with tls-exporter on TLS 1.3', async (_n, mech, hash) => {
    const tls = fakeTls('TLSv1.3', certDer);
    const { ctx } = fakeContext(secure(tls));
    const { final, expectedV } = await runClient(mech.create(ctx), {
      hash,
      user: 'alice',
      password: 'correct horse',
      gs2: 'p=tls-exporter,,',
      cbData: Buffer.alloc(32, 0x5a),
    });
    expect(final?.kind === 'success' && final.data?.toString()).toBe(expectedV);
    expect(tls.exporterCalls[0]).toEqual([32, 'EXPORTER-Channel-Binding', undefined]);
  });

  it('tls-server-end-point on TLS 1.2, with an authzid', async () => {
    const { ctx, calls } = fakeContext(secure(tls12));
    const { final } = await runClient(scramSha256PlusMechanism.create(ctx), {
      hash: 'sha256',
      user: 'alice',
      password: 'correct horse',
      gs2: 'p=tls-server-end-point,a=boss,',
      cbData: createHash('sha256').update(certDer).digest(),
    });
    expect(final?.kind).toBe('success');
    expect(calls.completeSecretLogin).toEqual([{ authcid: 'alice@example.test', authzid: 'boss' }]);
  });

  it('wrong channel-binding data fails without counting a password failure', async () => {
    const { ctx, calls } = fakeContext(secure(tls13));
    const { final } = await runClient(scramSha256PlusMechanism.create(ctx), {
      hash: 'sha256',
      user: 'alice',
      password: 'correct horse',
      gs2: 'p=tls-exporter,,',
      cbData: Buffer.alloc(32, 0x00),
    });
    expect(failureCode(final!)).toBe('bad-credentials');
    expect(calls.completeSecretLogin).toHaveLength(0);
    expect(calls.failSecretLogin).toHaveLength(0);
  });

  it('a gs2 header in c= that differs from the first message fails', async () => {
    const { ctx } = fakeContext(secure(tls13));
    const { final } = await runClient(scramSha256PlusMechanism.create(ctx), {
      hash: 'sha256',
      user: 'alice',
      password: 'correct horse',
      gs2: 'p=tls-exporter,,',
      tamperCb: Buffer.concat([Buffer.from('n,,'), Buffer.alloc(32, 0x5a)]),
    });
    expect(failureCode(final!)).toBe('bad-credentials');
  });

  it('tls-exporter is refused on TLS 1.2, unknown binding types and no TLS too', async () => {
    const a = fakeContext(secure(tls12));
    expect(failureCode(await send(scramSha256PlusMechanism.create(a.ctx), 'p=tls-exporter,,n=alice,r=abc'))).toBe('mechanism-unavailable');
    expect(failureCode(await send(scramSha256PlusMechanism.create(a.ctx), 'p=tls-unique,,n=alice,r=abc'))).toBe('mechanism-unavailable');
    const b = fakeContext({ users });
    expect(failureCode(await send(scramSha256PlusMechanism.create(b.ctx), 'p=tls-server-end-point,,n=alice,r=abc'))).toBe('mechanism-unavailable');
  });

  it("-PLUS refuses a client that does not bind ('n' or 'y')", async () => {
    const { ctx } = fakeContext(secure(tls13));
    expect(failureCode(await send(scramSha256PlusMechanism.create(ctx), 'n,,n=alice,r=abc'))).toBe('bad-credentials');
    expect(failureCode(await send(scramSha256PlusMechanism.create(ctx), 'y,,n=alice,r=abc'))).toBe('bad-credentials');
  });

  it("'y' on a TLS link where -PLUS is offered is a downgrade; without TLS it is fine", async () => {
    const tlsCtx = fakeContext(secure(tls13));
    expect(failureCode(await send(scramSha256Mechanism.create(tlsCtx.ctx), 'y,,n=alice,r=abc'))).toBe('bad-credentials');
    const plainCtx = fakeContext({ users });
    const { final } = await runClient(scramSha256Mechanism.create(plainCtx.ctx), { hash: 'sha256', user: 'alice', password: 'correct horse', gs2: 'y,,' });
    expect(final?.kind).toBe('success');
    // TLS without any usable binding (TLS 1.2, Ed25519 certificate): -PLUS is not offered, 'y' is fine
    const noCb = fakeContext({ users, conn: { secure: true, tls: fakeTls('TLSv1.2', der(ed_PEM)) } });
    expect(challengeText(await send(scramSha256Mechanism.create(noCb.ctx), 'y,,n=alice,r=abc'))).toMatch(/^r=abc/);
  });
});

describe('tls-server-end-point hash choice (RFC 5929)', () => {
  it.each([
    ['ecdsa-with-SHA1 -> sha256', ec_sha1_PEM, 'sha256'],
    ['ecdsa-with-SHA256', ec_sha256_PEM, 'sha256'],
    ['ecdsa-with-SHA384', ec_sha384_PEM, 'sha384'],
    ['RSASSA-PSS with SHA-384', pss_PEM, 'sha384'],
    ['Ed25519 has no single hash', ed_PEM, null],
  ])('%s', (_label, pem, hash) => {
    expect(serverEndPointHash(der(pem))).toBe(hash);
  });

  it('binding data is the certificate hash; bad DER gives no binding', () => {
    const d = der(ec_sha384_PEM);
    expect(channelBindingData(fakeTls('TLSv1.2', d), 'tls-server-end-point')).toEqual(createHash('sha384').update(d).digest());
    expect(serverEndPointHash(Buffer.from([0x30, 0x82, 0xff]))).toBeNull();
    expect(serverEndPointHash(Buffer.alloc(0))).toBeNull();
    expect(channelBindingData(fakeTls('TLSv1.2', Buffer.from('junk')), 'tls-server-end-point')).toBeNull();
    expect(availableChannelBindings(fakeTls('TLSv1.3', d))).toEqual(['tls-exporter', 'tls-server-end-point']);
    expect(availableChannelBindings(undefined)).toEqual([]);
  });

  it('saslname escapes round-trip', () => {
    expect(encodeSaslName('a,b=c')).toBe('a=2Cb=3Dc');
    expect(decodeSaslName('a=2Cb=3Dc')).toBe('a,b=c');
    expect(decodeSaslName('a=2c')).toBeNull();
  });
});
