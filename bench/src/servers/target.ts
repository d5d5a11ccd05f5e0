import type { Credentials } from '../loadgen/scenarios.js';

/** A server under measurement: where its IMAP and POP3 listen, and whose CPU and memory to read. */
export interface Target {
  /** short key used in the JSON results */
  key: string;
  /** what the tables print */
  label: string;
  imapPort: number;
  popPort: number;
  pid: number;
  /** count CPU of the whole process tree (servers that fork per connection) */
  tree: boolean;
  credentials: Credentials;
  stop(): Promise<void>;
}

export const BENCH_USER = 'bench@bench.test';
export const BENCH_PASSWORD = 'bench-Password-1';
