/**
 * A closed loop: `concurrency` clients, each opening a connection, running the scenario's steps
 * to the server's close, and starting over at once, until the deadline. Raw `node:net` sockets;
 * a response is only looked at once it ends in CRLF.
 */
import { connect } from 'node:net';
import { scenarioNamed, type Credentials, type Step } from './scenarios.js';

export interface LoadJob {
  host: string;
  port: number;
  scenario: string;
  concurrency: number;
  seconds: number;
  credentials: Credentials;
}

export interface LoadResult {
  logins: number;
  errors: number;
  /** the first few distinct error messages, to say why */
  errorSamples: string[];
  elapsedS: number;
  /** one entry per successful login, milliseconds from connect to the server's close */
  latenciesMs: number[];
}

/** a connection that neither finishes nor fails in this time counts as an error */
const CONNECTION_TIMEOUT_MS = 10_000;

function lastLine(buf: string): string {
  const end = buf.length - 2;
  const start = buf.lastIndexOf('\r\n', end - 1);
  return buf.slice(start < 0 ? 0 : start + 2, end);
}

function oneLogin(job: LoadJob, steps: Step[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(job.port, job.host);
    sock.setNoDelay(true);
    sock.setEncoding('latin1');
    let buf = '';
    let i = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`no answer to step ${i + 1} in ${CONNECTION_TIMEOUT_MS} ms`)), CONNECTION_TIMEOUT_MS);
    sock.on('error', (e) => fail(e));
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (!buf.endsWith('\r\n')) return;
      const step = steps[i];
      if (!step) return; // after the last answer: only the close is awaited
      const line = lastLine(buf);
      if (!step.done.some((p) => line.startsWith(p))) return;
      if (!line.startsWith(step.ok)) return fail(new Error(`step ${i + 1}: ${line.slice(0, 80)}`));
      let out: string | null;
      try {
        out = step.next(buf);
      } catch (e) {
        return fail(e as Error);
      }
      buf = '';
      i++;
      if (out !== null) sock.write(`${out}\r\n`);
    });
    sock.on('close', () => {
      if (settled) return;
      if (i < steps.length) return fail(new Error(`closed by the server at step ${i + 1}`));
      settled = true;
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function runClosedLoop(job: LoadJob): Promise<LoadResult> {
  const scenario = scenarioNamed(job.scenario);
  const latencies: number[] = [];
  const samples = new Set<string>();
  let errors = 0;
  const start = performance.now();
  const deadline = start + job.seconds * 1000;
  const client = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await oneLogin(job, scenario.steps(job.credentials));
        latencies.push(performance.now() - t0);
      } catch (e) {
        errors++;
        if (samples.size < 5) samples.add((e as Error).message);
        // a refused connection fails at once: do not spin
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, client));
  return {
    logins: latencies.length,
    errors,
    errorSamples: [...samples],
    elapsedS: (performance.now() - start) / 1000,
    latenciesMs: latencies,
  };
}
