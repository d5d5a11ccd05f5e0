/**
 * The External Authentication source as the gateway uses it: it follows the server setting
 * `externalAuth` (read again before each check, so that a change made by the CLI takes effect
 * without a restart), keeps one helper program running for it, and answers password checks and
 * provisioning questions. Any failure of the helper is a refused check, never an exception.
 */
import type { ServerSettings } from '@portcullis/auth-core';
import { HelperProcess, type HelperLogger, type HelperReply } from './helper-process.js';
import type { HelperCommand, SaslMethod } from './vocabulary.js';

export type ExternalAuthSettings = NonNullable<ServerSettings['externalAuth']>;

/** seconds, when `externalAuth.timeout` is not set */
export const DEFAULT_TIMEOUT_SEC = 20;
export const DEFAULT_RESTART_PAUSE_MS = 1000;

export interface ExternalAuthServiceOptions {
  /** the current `externalAuth` server setting */
  loadSettings(): Promise<ExternalAuthSettings | undefined>;
  /** a logger whose records carry the EXTAUTH tag; its `level` follows `externalAuth.logLevel` */
  logger: HelperLogger & { level?: string };
  restartPauseMs?: number;
}

export class ExternalAuthService {
  private helper: HelperProcess | null = null;
  private key = '';
  private readonly baseLevel: string | undefined;

  constructor(private readonly options: ExternalAuthServiceOptions) {
    this.baseLevel = options.logger.level;
  }

  /** Start, restart or stop the program to match the setting. */
  async sync(): Promise<void> {
    let settings: ExternalAuthSettings | undefined;
    try {
      settings = await this.options.loadSettings();
    } catch (err) {
      this.options.logger.warn({ err: String(err) }, 'cannot read the externalAuth setting; keeping the current program');
      return;
    }
    const program = settings?.program?.trim();
    const key = program ? JSON.stringify([program, settings?.args ?? [], settings?.timeout, settings?.autoRestart]) : '';
    const { logger } = this.options;
    const level = settings?.logLevel ?? this.baseLevel;
    if (level !== undefined && logger.level !== undefined && logger.level !== level) logger.level = level;
    if (key === this.key) return;
    this.helper?.close();
    this.helper = null;
    this.key = key;
    if (!program || !settings) return;
    this.helper = new HelperProcess({
      program,
      args: settings.args ?? [],
      timeoutMs: (settings.timeout ?? DEFAULT_TIMEOUT_SEC) * 1000,
      autoRestart: settings.autoRestart ?? true,
      restartPauseMs: this.options.restartPauseMs ?? DEFAULT_RESTART_PAUSE_MS,
      logger,
    });
    this.helper.start();
  }

  /** Does the helper accept this password for user@domain? */
  async verify(address: string, password: string): Promise<boolean> {
    const reply = await this.ask('VRFY', [address, password], address);
    return reply?.word === 'OK';
  }

  /**
   * Does the helper accept this secure-method proof for user@domain? Sent as
   * `SASL(<method>) <user@domain> <challenge> <response>`.
   */
  async verifyProof(address: string, method: SaslMethod, challenge: string, response: string): Promise<boolean> {
    const reply = await this.ask('SASL', [method, address, challenge, response], address);
    return reply?.word === 'OK';
  }

  /** May user@domain, unknown here, be created? */
  async provision(address: string): Promise<boolean> {
    const reply = await this.ask('NEW', [address], address);
    return reply?.word === 'OK';
  }

  close(): void {
    this.helper?.close();
    this.helper = null;
    this.key = '';
  }

  private async ask(command: HelperCommand, args: readonly string[], account: string): Promise<HelperReply | null> {
    await this.sync();
    const helper = this.helper;
    if (!helper) {
      this.options.logger.debug({ account, command }, 'no external authentication program configured');
      return null;
    }
    try {
      const reply = await helper.request(command, args);
      if (reply.word !== 'OK') this.options.logger.info({ account, command, reply: reply.word, text: reply.text }, 'helper refused');
      return reply;
    } catch (err) {
      this.options.logger.warn({ account, command, err: (err as Error).message }, 'helper request failed');
      return null;
    }
  }
}
