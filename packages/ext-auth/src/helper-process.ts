/**
 * One running helper program and the requests in flight to it. Replies are matched by sequence
 * number, so they may come in any order. A request that gets no reply in time fails and the
 * program is restarted; when the program ends, the requests it had not answered are held and
 * sent again to the restarted program (at most once more each), and while no program runs every
 * new request is refused at once.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { AuthLogger } from '@portcullis/auth-core';
import { HelperLineSplitter } from './line-splitter.js';
import { INTERFACE_VERSION, type HelperCommand } from './vocabulary.js';
import { formatRequest, parseHelperLine, type HelperLine } from './wire.js';

export interface HelperLogger extends AuthLogger {
  error(obj: object, msg?: string): void;
}

export interface HelperProcessOptions {
  program: string;
  args?: readonly string[];
  /** no reply within this many ms: the request fails and the program is restarted */
  timeoutMs: number;
  /** restart the program when it ends on its own (a timeout always restarts it) */
  autoRestart: boolean;
  /** the pause before a restart */
  restartPauseMs: number;
  logger: HelperLogger;
}

export interface HelperReply {
  word: 'OK' | 'ERROR' | 'INTF';
  text: string;
}

export class HelperUnavailableError extends Error {
  constructor() {
    super('the external authentication program is not running');
  }
}
export class HelperTimeoutError extends Error {
  constructor() {
    super('the external authentication program did not answer in time');
  }
}
export class HelperStoppedError extends Error {
  constructor() {
    super('the external authentication program stopped before answering');
  }
}

interface Pending {
  command: HelperCommand;
  args: readonly string[];
  /** how many times it was written to a program */
  sends: number;
  timer: NodeJS.Timeout | undefined;
  resolve(reply: HelperReply): void;
  reject(err: Error): void;
}

type State = 'running' | 'waiting' | 'closed';

/** at most this many sends of one request: the first and one after a restart */
const MAX_SENDS = 2;
const MAX_STDERR_LOG = 2048;

export class HelperProcess {
  private child: ChildProcessWithoutNullStreams | null = null;
  private state: State = 'waiting';
  private nextSeq = 1;
  private readonly pending = new Map<number, Pending>();
  /** requests the ended program had not answered, sent again after the restart */
  private held: Pending[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private killedForTimeout = false;

  constructor(private readonly options: HelperProcessOptions) {}

  get running(): boolean {
    return this.state === 'running';
  }

  start(): void {
    if (this.state === 'closed') return;
    const { program, args = [], logger } = this.options;
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(program, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      logger.error({ err: String(err), program }, 'cannot start the external authentication program');
      this.onEnded(null);
      return;
    }
    this.child = child;
    this.state = 'running';
    this.killedForTimeout = false;
    const splitter = new HelperLineSplitter((line) => this.onLine(line), () => logger.warn({ program }, 'helper line over 4096 bytes ignored'));
    child.stdout.on('data', (chunk: Buffer) => splitter.push(chunk));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR_LOG) stderr += chunk.toString('utf8');
    });
    child.stdin.on('error', () => undefined); // EPIPE after the program died: 'exit' handles it
    let ended = false;
    const end = (detail: object) => {
      if (ended) return;
      ended = true;
      if (this.child === child) this.child = null;
      const text = stderr.trim().slice(0, MAX_STDERR_LOG);
      logger.warn({ program, ...detail, ...(text ? { stderr: text } : {}) }, 'external authentication program ended');
      this.onEnded(child);
    };
    child.on('error', (err) => end({ err: err.message }));
    child.on('exit', (code, signal) => end({ code, signal }));
    logger.info({ program, pid: child.pid }, 'external authentication program started');
    this.send('INTF', [String(INTERFACE_VERSION)])
      .then((reply) => logger.info({ reply: reply.word, version: reply.text }, 'external authentication interface'))
      .catch(() => undefined); // its failure is logged where it happens
    for (const p of this.held.splice(0)) this.write(p);
  }

  /** Send one request; refused at once while no program runs. */
  request(command: HelperCommand, args: readonly string[]): Promise<HelperReply> {
    if (this.state !== 'running') return Promise.reject(new HelperUnavailableError());
    return this.send(command, args);
  }

  /** Stop the program and fail whatever is in flight. */
  close(): void {
    this.state = 'closed';
    clearTimeout(this.restartTimer);
    const failed = [...this.pending.values(), ...this.held.splice(0)];
    this.pending.clear();
    for (const p of failed) {
      clearTimeout(p.timer);
      p.reject(new HelperStoppedError());
    }
    this.child?.stdin.end();
    this.child?.kill('SIGTERM');
    this.child = null;
  }

  private send(command: HelperCommand, args: readonly string[]): Promise<HelperReply> {
    return new Promise<HelperReply>((resolve, reject) => {
      this.write({ command, args, sends: 0, timer: undefined, resolve, reject });
    });
  }

  private write(p: Pending): void {
    const child = this.child;
    if (!child || this.state !== 'running') {
      p.reject(new HelperUnavailableError());
      return;
    }
    const seq = this.nextSeq++;
    let line: string;
    try {
      line = formatRequest(seq, p.command, p.args);
    } catch (err) {
      p.reject(err as Error);
      return;
    }
    p.sends++;
    this.pending.set(seq, p);
    p.timer = setTimeout(() => this.onTimeout(seq), this.options.timeoutMs);
    child.stdin.write(`${line}\n`);
    // the password is an argument of VRFY (and a digest of it one of SASL): log the command and the account only
    const account = p.command === 'INTF' ? undefined : p.command === 'SASL' ? p.args[1] : p.args[0];
    const command = p.command === 'SASL' ? `SASL(${p.args[0]})` : p.command;
    this.options.logger.debug({ seq, command, ...(account !== undefined ? { account } : {}) }, 'helper request');
  }

  private onLine(raw: string): void {
    const line: HelperLine = parseHelperLine(raw);
    const { logger } = this.options;
    if (line.kind === 'info') {
      logger.info({ text: line.text }, 'helper says');
      return;
    }
    if (line.kind === 'bad') {
      logger.warn({ line: raw.slice(0, 200) }, 'helper line not understood');
      return;
    }
    const p = this.pending.get(line.seq);
    if (!p) {
      logger.warn({ seq: line.seq }, 'helper reply to no request in flight');
      return;
    }
    this.pending.delete(line.seq);
    clearTimeout(p.timer);
    logger.debug({ seq: line.seq, reply: line.word, text: line.text }, 'helper reply');
    p.resolve({ word: line.word, text: line.text });
  }

  private onTimeout(seq: number): void {
    const p = this.pending.get(seq);
    if (!p) return;
    this.pending.delete(seq);
    this.options.logger.warn({ seq, command: p.command, timeoutMs: this.options.timeoutMs }, 'helper request timed out; restarting the program');
    p.reject(new HelperTimeoutError());
    if (this.child) {
      this.killedForTimeout = true;
      this.child.kill('SIGKILL');
    }
  }

  private onEnded(child: ChildProcessWithoutNullStreams | null): void {
    if (this.state === 'closed') return;
    if (child !== null && this.child !== null && this.child !== child) return; // an older program
    this.state = 'waiting';
    const unanswered = [...this.pending.values()];
    this.pending.clear();
    for (const p of unanswered) clearTimeout(p.timer);
    const restart = this.options.autoRestart || this.killedForTimeout;
    this.killedForTimeout = false;
    if (!restart) {
      for (const p of unanswered) p.reject(new HelperStoppedError());
      return;
    }
    for (const p of unanswered) {
      if (p.sends >= MAX_SENDS || p.command === 'INTF') p.reject(new HelperStoppedError());
      else this.held.push(p);
    }
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => this.start(), this.options.restartPauseMs);
    this.restartTimer.unref();
  }
}
