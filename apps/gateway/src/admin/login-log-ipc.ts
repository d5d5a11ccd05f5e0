/**
 * The login log with node:cluster workers and the memory cache: the primary keeps the one log;
 * workers send it their entries (fire and forget) and ask it for the recent ones over IPC, like
 * the memory session cache does. With a Redis cache the workers use Redis directly instead.
 */
import { AdminError } from './errors.js';
import { MemoryLoginLog, type LoginLog, type LoginLogEntry, type LoginLogQuery } from './login-log.js';

const ENTRY = 'portcullis:login-log:entry';
const REQUEST = 'portcullis:login-log:request';
const RESPONSE = 'portcullis:login-log:response';

const TIMEOUT_MS = 2000;

interface EntryMessage {
  type: typeof ENTRY;
  entry: LoginLogEntry;
}
interface RequestMessage {
  type: typeof REQUEST;
  id: number;
  query: LoginLogQuery;
}
interface ResponseMessage {
  type: typeof RESPONSE;
  id: number;
  entries: LoginLogEntry[];
}

function typed<T extends { type: string }>(m: unknown, type: T['type']): m is T {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;
}

/** A worker's process (process.send / 'message'), or a stand-in in tests. */
export interface WorkerChannel {
  send?(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

export function workerLoginLog(channel: WorkerChannel = process): LoginLog {
  let nextId = 1;
  return {
    record(entry) {
      const message: EntryMessage = { type: ENTRY, entry };
      channel.send?.(message);
    },
    recent(query) {
      const id = nextId++;
      return new Promise<LoginLogEntry[]>((resolve, reject) => {
        const cleanup = (): void => {
          clearTimeout(timer);
          channel.off('message', onMessage);
        };
        const onMessage = (m: unknown): void => {
          if (!typed<ResponseMessage>(m, RESPONSE) || m.id !== id) return;
          cleanup();
          resolve(Array.isArray(m.entries) ? m.entries : []);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new AdminError(503, 'the primary process did not send the login log in time'));
        }, TIMEOUT_MS);
        if (!channel.send) {
          cleanup();
          reject(new AdminError(503, 'no primary process to ask for the login log'));
          return;
        }
        channel.on('message', onMessage);
        const request: RequestMessage = { type: REQUEST, id, query };
        channel.send(request);
      });
    },
    async close() {},
  };
}

/** The primary's side (cluster.on('message', ...)); a worker that is gone is not answered. */
export interface WorkerHub<W extends { send(message: unknown): boolean; isConnected(): boolean }> {
  on(event: 'message', listener: (worker: W, message: unknown) => void): unknown;
  off(event: 'message', listener: (worker: W, message: unknown) => void): unknown;
}

/** Keep the workers' login log in `log`; returns a stop function. */
export function serveLoginLogToWorkers<W extends { send(message: unknown): boolean; isConnected(): boolean }>(
  hub: WorkerHub<W>,
  log: MemoryLoginLog = new MemoryLoginLog(),
): () => void {
  const onMessage = (worker: W, m: unknown): void => {
    if (typed<EntryMessage>(m, ENTRY)) {
      if (typeof m.entry === 'object' && m.entry !== null) log.record(m.entry);
      return;
    }
    if (!typed<RequestMessage>(m, REQUEST) || typeof m.id !== 'number') return;
    const query: LoginLogQuery = {
      limit: typeof m.query?.limit === 'number' ? m.query.limit : 100,
      account: typeof m.query?.account === 'string' ? m.query.account : undefined,
      ok: typeof m.query?.ok === 'boolean' ? m.query.ok : undefined,
    };
    void log.recent(query).then((entries) => {
      const response: ResponseMessage = { type: RESPONSE, id: m.id, entries };
      if (worker.isConnected()) worker.send(response);
    });
  };
  hub.on('message', onMessage);
  return () => {
    hub.off('message', onMessage);
  };
}
