/**
 * Relay to a smarthost with nodemailer's SMTP transport (used only as a client). The message is
 * first written to a private temporary file, so a large message never sits in memory, then sent
 * as raw bytes with our envelope; the client gets 250 only once the smarthost accepted it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { DeliveryError, type Envelope, type MessageSink, type MessageWriter } from './sink.js';
import { TempFile } from './temp-file.js';

export interface SmarthostOptions {
  host: string;
  port: number;
  /** implicit TLS (port 465 style); otherwise STARTTLS is used when offered */
  secure?: boolean;
  /** fail unless STARTTLS can be used */
  requireTLS?: boolean;
  /** check the smarthost's certificate (default true) */
  rejectUnauthorized?: boolean;
  auth?: { user: string; pass: string };
  /** our name in EHLO */
  name?: string;
  /** seconds for connecting and for each reply (default 60) */
  timeout?: number;
}

export class SmarthostSink implements MessageSink {
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  private ready: Promise<void> | undefined;

  constructor(
    private readonly tmpDir: string,
    options: SmarthostOptions,
  ) {
    const timeoutMs = (options.timeout ?? 60) * 1000;
    this.transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure ?? false,
      requireTLS: options.requireTLS ?? false,
      ...(options.auth ? { auth: { user: options.auth.user, pass: options.auth.pass } } : {}),
      ...(options.name ? { name: options.name } : {}),
      tls: { rejectUnauthorized: options.rejectUnauthorized ?? true },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      // nodemailer's own logger could print the smarthost password: it stays off
      logger: false,
      debug: false,
    });
  }

  async open(envelope: Envelope): Promise<MessageWriter> {
    this.ready ??= fs.mkdir(this.tmpDir, { recursive: true, mode: 0o700 }).then(() => undefined);
    await this.ready;
    const file = await TempFile.create(path.join(this.tmpDir, `${envelope.id}.relay`));
    const transport = this.transport;
    return {
      write: (chunk) => file.write(chunk),
      async commit() {
        try {
          await file.finish();
          const info = await transport.sendMail({
            envelope: { from: envelope.from, to: envelope.to },
            raw: { path: file.path },
          });
          return `relayed as ${envelope.id}${info.response ? ` (${info.response.slice(0, 100)})` : ''}`;
        } catch (err) {
          throw relayError(err);
        } finally {
          await file.remove();
        }
      },
      abort: () => file.remove(),
    };
  }

  close(): void {
    this.transport.close();
  }
}

function relayError(err: unknown): DeliveryError {
  const e = err as { responseCode?: number; response?: string; message?: string };
  const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600;
  const detail = e.response ?? e.message ?? 'unknown error';
  return new DeliveryError(`smarthost: ${detail.slice(0, 200)}`, permanent);
}
