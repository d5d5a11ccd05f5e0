/** A DIGEST-MD5 client response (RFC 2831, qop=auth, md5-sess), computed here so a test can replay it. */
import { createHash, randomBytes } from 'node:crypto';

const md5 = (...parts: (string | Buffer)[]): Buffer => {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
};

export function parseDirectives(challenge: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([a-zA-Z-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,]*))/g;
  for (const m of challenge.matchAll(re)) out.set(m[1]!.toLowerCase(), (m[2] ?? m[3] ?? '').replace(/\\(.)/g, '$1'));
  return out;
}

export function digestMd5Response(challenge: string, user: string, password: string, digestUri: string): string {
  const d = parseDirectives(challenge);
  const realm = d.get('realm') ?? '';
  const nonce = d.get('nonce')!;
  const cnonce = randomBytes(12).toString('base64');
  const nc = '00000001';
  const ha1 = md5(md5(`${user}:${realm}:${password}`), `:${nonce}:${cnonce}`).toString('hex');
  const ha2 = md5(`AUTHENTICATE:${digestUri}`).toString('hex');
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`).toString('hex');
  return `charset=utf-8,username="${user}",realm="${realm}",nonce="${nonce}",nc=${nc},cnonce="${cnonce}",digest-uri="${digestUri}",response=${response},qop=auth`;
}
