/** In-process figures for auth-core: one login per operation, through the real file store. */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apopDigest,
  createAuthenticator,
  createDefaultMechanisms,
  encodePassword,
  scramKeys,
  type Authenticator,
  type ConnectionInfo,
  type PasswordEncryption,
  type SaslExchange,
} from '@portcullis/auth-core';
import { createFileStore } from '@portcullis/directory';
import { createMemoryCache } from '@portcullis/session-cache';
import { measure, type Figures } from './measure.js';

const DOMAIN = 'bench.test';
const PASSWORD = 'correct horse battery';

const conn: ConnectionInfo = {
  service: 'imap',
  id: 'bench',
  remoteAddress: '127.0.0.1',
  remotePort: 40000,
  localAddress: '127.0.0.1',
  localPort: 143,
  secure: false,
  serverName: DOMAIN,
};

async function run(ex: SaslExchange, first: Buffer | null, respond: (challenge: Buffer) => Buffer): Promise<void> {
  let step = await ex.step(first);
  while (step.kind === 'continue') step = await ex.step(respond(step.challenge));
  if (step.kind !== 'success') throw new Error(`bench login failed: ${step.failure.code}`);
}

function cramMd5(auth: Authenticator, user: string): Promise<void> {
  const ex = auth.startSasl('CRAM-MD5', conn)!;
  return run(ex, null, (c) => Buffer.from(`${user} ${createHmac('md5', PASSWORD).update(c).digest('hex')}`));
}

function digestMd5(auth: Authenticator, user: string): Promise<void> {
  const ex = auth.startSasl('DIGEST-MD5', conn)!;
  return run(ex, null, (c) => {
    const text = c.toString();
    if (text.startsWith('rspauth=')) return Buffer.alloc(0);
    const nonce = /nonce="([^"]+)"/.exec(text)?.[1] ?? '';
    const realm = /realm="([^"]*)"/.exec(text)?.[1] ?? '';
    const cnonce = randomBytes(12).toString('base64');
    const uri = `imap/${DOMAIN}`;
    const md5 = (s: string | Buffer): Buffer => createHash('md5').update(s).digest();
    const a1 = Buffer.concat([md5(`${user}:${realm}:${PASSWORD}`), Buffer.from(`:${nonce}:${cnonce}`)]);
    const ha1 = md5(a1).toString('hex');
    const ha2 = md5(`AUTHENTICATE:${uri}`).toString('hex');
    const response = md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`).toString('hex');
    return Buffer.from(
      `charset=utf-8,username="${user}",realm="${realm}",nonce="${nonce}",nc=00000001,cnonce="${cnonce}",digest-uri="${uri}",response=${response},qop=auth`,
    );
  });
}

async function scramSha256(auth: Authenticator, user: string): Promise<void> {
  const ex = auth.startSasl('SCRAM-SHA-256', conn)!;
  const clientNonce = randomBytes(18).toString('base64');
  const bare = `n=${user},r=${clientNonce}`;
  let step = await ex.step(Buffer.from(`n,,${bare}`));
  if (step.kind !== 'continue') throw new Error('scram: no server-first');
  const serverFirst = step.challenge.toString();
  const fields = new Map(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)] as const));
  const keys = await scramKeys('sha256', PASSWORD, Buffer.from(fields.get('s') ?? '', 'base64'), Number(fields.get('i')));
  const withoutProof = `c=biws,r=${fields.get('r')}`;
  const authMessage = `${bare},${serverFirst},${withoutProof}`;
  const signature = createHmac('sha256', keys.storedKey).update(authMessage).digest();
  const proof = Buffer.from(keys.clientKey.map((b, i) => b ^ signature[i]!));
  step = await ex.step(Buffer.from(`${withoutProof},p=${proof.toString('base64')}`));
  if (step.kind !== 'success') throw new Error('scram: login failed');
}

export async function authBench(seconds: number): Promise<Figures[]> {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-bench-'));
  try {
    const directory = createFileStore(dir);
    await directory.createDomain({ name: DOMAIN });
    const schemes: PasswordEncryption[] = ['clear', 'U-crpt', 'UB-crpt'];
    for (const scheme of schemes) {
      await directory.createAccount({
        name: `user-${scheme.toLowerCase()}`,
        domain: DOMAIN,
        settings: { password: await encodePassword(PASSWORD, scheme), passwordEncryption: scheme },
      });
    }
    const auth = createAuthenticator({
      directory,
      cache: createMemoryCache(),
      mainDomain: DOMAIN,
      mechanisms: createDefaultMechanisms(),
      failureDelayMs: 0,
    });
    const rows: Figures[] = [];
    for (const scheme of schemes) {
      const user = `user-${scheme.toLowerCase()}@${DOMAIN}`;
      rows.push(
        await measure(`LOGIN (${scheme} password)`, seconds, async () => {
          const r = await auth.loginPlaintext(user, PASSWORD, conn);
          if (!r.ok) throw new Error(`login failed: ${r.failure.code}`);
        }),
      );
    }
    const clearUser = `user-clear@${DOMAIN}`;
    rows.push(await measure('wrong password (no delay)', seconds, async () => {
      const r = await auth.loginPlaintext(clearUser, 'wrong', conn);
      if (r.ok) throw new Error('wrong password logged in');
    }));
    rows.push(await measure('CRAM-MD5', seconds, () => cramMd5(auth, clearUser)));
    rows.push(await measure('DIGEST-MD5', seconds, () => digestMd5(auth, clearUser)));
    rows.push(await measure('SCRAM-SHA-256 (4096 iterations)', seconds, () => scramSha256(auth, clearUser)));
    rows.push(
      await measure('APOP', seconds, async () => {
        const ts = auth.apopTimestamp(conn);
        const r = await auth.loginApop(clearUser, ts, apopDigest(ts, PASSWORD), conn);
        if (!r.ok) throw new Error('apop failed');
      }),
    );
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
