/** The PWD handler behind the real listener, over the real auth-core, for one test. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { generate } from 'selfsigned';
import { createAuthenticator, createDefaultMechanisms, type Authenticator } from '@portcullis/auth-core';
import { startListener, type TlsMaterial, type TlsMode } from '@portcullis/listener';
import { createMemoryCache } from '@portcullis/session-cache';
import { createPwdHandler, type PwdOptions } from '../../src/index.js';
import { MemoryDirectory } from '@portcullis/auth-core/testing';

export const DOMAIN = 'example.test';

export interface TestServer {
  port: number;
  directory: MemoryDirectory;
  authenticator: Authenticator;
  logs: string[];
  close(): Promise<void>;
}

let material: Promise<TlsMaterial> | undefined;
export function testTlsMaterial(): Promise<TlsMaterial> {
  material ??= generate([{ name: 'commonName', value: 'pwd.test' }], { keySize: 2048 }).then((p) => ({ cert: p.cert, key: p.private }));
  return material;
}

export async function startPwdServer(
  extra: { tls?: TlsMode; options?: Partial<PwdOptions>; setup?: (d: MemoryDirectory) => void } = {},
): Promise<TestServer> {
  const directory = new MemoryDirectory();
  directory.domains.set(DOMAIN, { name: DOMAIN });
  extra.setup?.(directory);
  const authenticator = createAuthenticator({
    directory,
    cache: createMemoryCache(),
    mainDomain: DOMAIN,
    mechanisms: createDefaultMechanisms(),
    failureDelayMs: 0,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const handler = createPwdHandler({ authenticator, directory, serverName: 'mail.example.test', ...extra.options });
  const mode = extra.tls ?? 'none';
  const tls = mode === 'none' ? undefined : await testTlsMaterial();
  const listener = await startListener(
    { service: 'pwd', port: 0, tls: mode },
    { handler, logger: pino({ level: 'debug' }, sink), ...(tls ? { tls } : {}) },
  );
  return { port: listener.port, directory, authenticator, logs, close: () => listener.close(200) };
}
