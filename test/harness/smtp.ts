/** SMTP for the integration tests: a raw reply reader, swaks and curl runners, the spool. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LineClient } from './line-client.js';
import { curl, run, type RunResult } from './run.js';

export interface SmtpReply {
  code: number;
  lines: string[];
  /** the last line's text after the code */
  text: string;
}

/** One (possibly multi-line) reply. */
export async function smtpReply(c: LineClient, timeoutMs = 10_000): Promise<SmtpReply> {
  const lines = await c.readUntil((l) => !/^\d{3}-/.test(l), timeoutMs);
  const last = lines[lines.length - 1] ?? '';
  return { code: Number(last.slice(0, 3)), lines, text: last.slice(4) };
}

export async function smtpCommand(c: LineClient, line: string): Promise<SmtpReply> {
  c.send(line);
  return smtpReply(c);
}

/** The EHLO keywords, upper-cased, without the first (greeting) line. */
export function ehloKeywords(r: SmtpReply): string[] {
  return r.lines.slice(1).map((l) => l.slice(4).toUpperCase());
}

export function plainResponse(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`, 'utf8').toString('base64');
}

export interface SwaksOptions {
  port: number;
  mechanism: string;
  user: string;
  password: string;
  /** '-tls' (STARTTLS) or '-tlsc' (implicit) */
  tls?: '-tls' | '-tlsc';
  subject?: string;
  body?: string;
}

/** swaks, submitting one message from alice to bob; exit 0 means it was accepted. */
export function swaks(o: SwaksOptions): Promise<RunResult> {
  const args = [
    '--server', `127.0.0.1:${o.port}`,
    '--ehlo', 'swaks.client.test',
    '--from', 'alice@example.test',
    '--to', 'bob@example.test',
    '--auth', o.mechanism,
    '--auth-user', o.user,
    '--auth-password', o.password,
    '--timeout', '20',
    '--header', `Subject: ${o.subject ?? 'swaks test'}`,
    '--body', o.body ?? 'sent by swaks',
    ...(o.tls ? [o.tls] : []),
  ];
  return run('swaks', args, { timeoutMs: 40_000 });
}

export interface CurlSmtpOptions {
  url: string;
  user: string;
  password: string;
  /** AUTH=PLAIN etc. */
  loginOptions?: string;
  file: string;
  /** --ssl-reqd: STARTTLS or fail */
  sslReqd?: boolean;
}

export function curlSmtp(o: CurlSmtpOptions): Promise<RunResult> {
  return curl([
    '-k',
    o.url,
    '--mail-from', 'alice@example.test',
    '--mail-rcpt', 'bob@example.test',
    '--upload-file', o.file,
    '--user', `${o.user}:${o.password}`,
    ...(o.loginOptions ? ['--login-options', o.loginOptions] : []),
    ...(o.sslReqd ? ['--ssl-reqd'] : []),
  ]);
}

export interface SpooledMessage {
  id: string;
  eml: string;
  envelope: Record<string, unknown>;
}

/** The finished messages of dataDir/spool. */
export async function readSpool(dataDir: string): Promise<SpooledMessage[]> {
  const dir = path.join(dataDir, 'spool');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const out: SpooledMessage[] = [];
  for (const name of names.filter((n) => n.endsWith('.eml')).sort()) {
    const id = name.slice(0, -4);
    out.push({
      id,
      eml: await fs.readFile(path.join(dir, name), 'utf8'),
      envelope: JSON.parse(await fs.readFile(path.join(dir, `${id}.json`), 'utf8')) as Record<string, unknown>,
    });
  }
  return out;
}

/** The spooled message whose Subject is this one. */
export async function spooledBySubject(dataDir: string, subject: string): Promise<SpooledMessage | undefined> {
  return (await readSpool(dataDir)).find((m) => m.eml.includes(`\r\nSubject: ${subject}\r\n`));
}

/** Files in dataDir/spool/tmp: messages in progress, or left behind by a bug. */
export async function spoolTmpFiles(dataDir: string): Promise<string[]> {
  return fs.readdir(path.join(dataDir, 'spool', 'tmp')).catch(() => []);
}
