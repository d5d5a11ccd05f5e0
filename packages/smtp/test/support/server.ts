/** Starts the SMTP handler behind the real listener on a free port, spooling into a temp dir. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { generate } from 'selfsigned';
import { startListener, type TlsMaterial, type TlsMode } from '@portcullis/listener';
import { createSmtpHandler, SpoolSink, type MessageSink, type SmtpOptions } from '../../src/index.js';

export interface TestServer {
  port: number;
  spoolDir: string;
  /** every log line written, as JSON text */
  logs: string[];
  close(): Promise<void>;
}

let material: Promise<TlsMaterial> | undefined;

export function testTlsMaterial(): Promise<TlsMaterial> {
  material ??= generate([{ name: 'commonName', value: 'smtp.test' }], { keySize: 2048 }).then((p) => ({
    cert: p.cert,
    key: p.private,
  }));
  return material;
}

export interface ServerExtras {
  tls?: TlsMode;
  idleTimeoutSec?: number;
  /** default: a SpoolSink in a temporary folder */
  sink?: MessageSink;
  proxyProtocol?: boolean;
}

export async function startSmtpServer(
  options: Omit<SmtpOptions, 'sink' | 'serverName'> & { serverName?: string },
  extra: ServerExtras = {},
): Promise<TestServer> {
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'debug' }, logStream);
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'smtp-test-'));
  const spoolDir = path.join(base, 'spool');
  const sink = extra.sink ?? new SpoolSink(spoolDir);
  const handler = createSmtpHandler({ serverName: 'mail.example.test', ...options, sink });
  const tlsMode = extra.tls ?? 'none';
  const tls = tlsMode === 'none' ? undefined : await testTlsMaterial();
  const listener = await startListener(
    {
      service: 'smtp',
      port: 0,
      tls: tlsMode,
      ...(extra.idleTimeoutSec ? { idleTimeoutPreLogin: extra.idleTimeoutSec, idleTimeoutPostLogin: extra.idleTimeoutSec } : {}),
      ...(extra.proxyProtocol ? { proxyProtocol: true } : {}),
    },
    { handler, logger, ...(tls ? { tls } : {}) },
  );
  return {
    port: listener.port,
    spoolDir,
    logs,
    async close() {
      await listener.close(200);
      await fs.rm(base, { recursive: true, force: true });
    },
  };
}

/** the spool's finished messages: id → { eml, envelope } */
export async function readSpool(spoolDir: string): Promise<Map<string, { eml: string; envelope: Record<string, unknown> }>> {
  const out = new Map<string, { eml: string; envelope: Record<string, unknown> }>();
  let names: string[];
  try {
    names = await fs.readdir(spoolDir);
  } catch {
    return out;
  }
  for (const name of names.filter((n) => n.endsWith('.eml'))) {
    const id = name.slice(0, -4);
    const eml = await fs.readFile(path.join(spoolDir, name), 'utf8');
    const envelope = JSON.parse(await fs.readFile(path.join(spoolDir, `${id}.json`), 'utf8')) as Record<string, unknown>;
    out.set(id, { eml, envelope });
  }
  return out;
}

/** files under tmp/ (messages in progress or left behind) */
export async function spoolTmp(spoolDir: string): Promise<string[]> {
  return fs.readdir(path.join(spoolDir, 'tmp')).catch(() => []);
}
