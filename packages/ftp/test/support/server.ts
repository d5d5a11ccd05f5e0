/** The FTP handler behind the real listener, over the real auth-core, for one test. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { generate } from 'selfsigned';
import { createAuthenticator, createDefaultMechanisms, type Authenticator } from '@portcullis/auth-core';
import { startListener, type TlsMaterial, type TlsMode } from '@portcullis/listener';
import { createMemoryCache } from '@portcullis/session-cache';
import { createFtpHandler, type FtpOptions } from '../../src/index.js';
import { MemoryDirectory } from '@portcullis/auth-core/testing';

export const DOMAIN = 'example.test';

export interface TestServer {
  port: number;
  directory: MemoryDirectory;
  authenticator: Authenticator;
  logs: string[];
  /** <filesRoot>/<domain>/<account>/ holds each account's files */
  filesRoot: string;
  close(): Promise<void>;
}

let material: Promise<TlsMaterial> | undefined;
export function testTlsMaterial(): Promise<TlsMaterial> {
  material ??= generate([{ name: 'commonName', value: 'ftp.test' }], { keySize: 2048 }).then((p) => ({ cert: p.cert, key: p.private }));
  return material;
}

export async function startFtpServer(
  extra: { tls?: TlsMode; idleSeconds?: number; options?: Partial<FtpOptions>; setup?: (d: MemoryDirectory) => void } = {},
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
  const mode = extra.tls ?? 'none';
  const tls = mode === 'none' ? undefined : await testTlsMaterial();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const filesRoot = await mkdtemp(path.join(os.tmpdir(), 'ftp-files-'));
  const handler = createFtpHandler({
    authenticator,
    serverName: 'mail.example.test',
    filesRoot,
    ...(tls ? { tls } : {}),
    ...extra.options,
  });
  const listener = await startListener(
    { service: 'ftp', port: 0, tls: mode, ...(extra.idleSeconds ? { idleTimeoutPreLogin: extra.idleSeconds } : {}) },
    { handler, logger: pino({ level: 'debug' }, sink), ...(tls ? { tls } : {}) },
  );
  return {
    port: listener.port,
    directory,
    authenticator,
    logs,
    filesRoot,
    close: async () => {
      await listener.close(200);
      await rm(filesRoot, { recursive: true, force: true });
    },
  };
}
