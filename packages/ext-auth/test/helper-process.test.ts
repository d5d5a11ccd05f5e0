import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HelperProcess, HelperStoppedError, HelperTimeoutError, HelperUnavailableError, type HelperProcessOptions } from '../src/index.js';

const FAKE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'fake-helper.mjs');

interface Logged {
  level: string;
  obj: object;
  msg: string | undefined;
}

function recordingLogger(into: Logged[]): HelperProcessOptions['logger'] {
  const at = (level: string) => (obj: object, msg?: string) => void into.push({ level, obj, msg });
  return { info: at('info'), warn: at('warn'), debug: at('debug'), error: at('error') };
}

let dir: string;
let stateFile: string;
let helpers: HelperProcess[];
let logged: Logged[];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'extauth-'));
  stateFile = path.join(dir, 'state');
  helpers = [];
  logged = [];
});

afterEach(() => {
  for (const h of helpers) h.close();
  rmSync(dir, { recursive: true, force: true });
});

function startHelper(mode = 'normal', overrides: Partial<HelperProcessOptions> = {}): HelperProcess {
  const h = new HelperProcess({
    program: process.execPath,
    args: [FAKE, stateFile, mode],
    timeoutMs: 2000,
    autoRestart: true,
    restartPauseMs: 200,
    logger: recordingLogger(logged),
    ...overrides,
  });
  helpers.push(h);
  h.start();
  return h;
}

function starts(): number {
  if (!existsSync(stateFile)) return 0;
  return readFileSync(stateFile, 'utf8').split('\n').filter((l) => l === 'start').length;
}

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('HelperProcess', () => {
  it('sends INTF first, matches replies that come out of order, and logs info lines', async () => {
    const h = startHelper();
    const order: string[] = [];
    const slow = h.request('VRFY', ['a@x.test', 'slow']).then((r) => (order.push('slow'), r));
    const fast = h.request('VRFY', ['b@x.test', 'good']).then((r) => (order.push('fast'), r));
    expect(await fast).toEqual({ word: 'OK', text: '' });
    expect(await slow).toEqual({ word: 'ERROR', text: 'wrong' });
    expect(order).toEqual(['fast', 'slow']);
    const state = readFileSync(stateFile, 'utf8').split('\n');
    expect(state[1]).toBe('got INTF 1');
    await waitFor(() => logged.some((l) => l.msg === 'external authentication interface'));
    expect(logged.find((l) => l.msg === 'external authentication interface')?.obj).toMatchObject({ version: '7' });
    expect(logged.some((l) => l.msg === 'helper says' && (l.obj as { text: string }).text === 'fake helper 1')).toBe(true);
  });

  it('never logs the password it sends', async () => {
    const h = startHelper();
    await h.request('VRFY', ['a@x.test', 'good']);
    expect(JSON.stringify(logged)).not.toContain('good');
  });

  it('drops an over-long reply line and takes the next one', async () => {
    const h = startHelper();
    expect(await h.request('VRFY', ['a@x.test', 'long'])).toEqual({ word: 'ERROR', text: 'after long' });
    expect(logged.some((l) => l.msg === 'helper line over 4096 bytes ignored')).toBe(true);
  });

  it('fails a request with no reply in time and restarts the program', async () => {
    const h = startHelper('normal', { timeoutMs: 1000 });
    await h.request('VRFY', ['a@x.test', 'good']); // started and answering
    const started = Date.now();
    await expect(h.request('VRFY', ['a@x.test', 'hang'])).rejects.toBeInstanceOf(HelperTimeoutError);
    expect(Date.now() - started).toBeLessThan(2500);
    await waitFor(() => h.running && starts() === 2);
    expect(await h.request('VRFY', ['a@x.test', 'good'])).toMatchObject({ word: 'OK' });
  });

  it('re-sends the requests in flight to the restarted program, and refuses new ones meanwhile', async () => {
    const h = startHelper('die-once', { restartPauseMs: 400 });
    const inFlight = h.request('VRFY', ['a@x.test', 'die']);
    await waitFor(() => !h.running);
    const refusedAt = Date.now();
    await expect(h.request('VRFY', ['b@x.test', 'good'])).rejects.toBeInstanceOf(HelperUnavailableError);
    expect(Date.now() - refusedAt).toBeLessThan(100);
    expect(await inFlight).toMatchObject({ word: 'OK' });
    expect(starts()).toBe(2);
  });

  it('sends one request at most twice when the program dies on it each time', async () => {
    const h = startHelper('normal', { restartPauseMs: 100 });
    await expect(h.request('VRFY', ['a@x.test', 'die'])).rejects.toBeInstanceOf(HelperStoppedError);
    expect(starts()).toBe(2);
  });

  it('without autoRestart, a dead program fails what was in flight and everything after', async () => {
    const h = startHelper('normal', { autoRestart: false });
    await expect(h.request('VRFY', ['a@x.test', 'die'])).rejects.toBeInstanceOf(HelperStoppedError);
    await expect(h.request('VRFY', ['a@x.test', 'good'])).rejects.toBeInstanceOf(HelperUnavailableError);
    await new Promise((r) => setTimeout(r, 300));
    expect(starts()).toBe(1);
  });

  it('a program that cannot start refuses checks at once', async () => {
    const h = startHelper('normal', { program: path.join(dir, 'no-such-program'), restartPauseMs: 60_000 });
    await waitFor(() => !h.running);
    await expect(h.request('VRFY', ['a@x.test', 'good'])).rejects.toBeInstanceOf(HelperUnavailableError);
    expect(logged.some((l) => l.msg === 'external authentication program ended')).toBe(true);
  });

  it('close() fails what is in flight', async () => {
    const h = startHelper();
    const p = h.request('VRFY', ['a@x.test', 'hang']);
    h.close();
    await expect(p).rejects.toBeInstanceOf(HelperStoppedError);
    await expect(h.request('VRFY', ['a@x.test', 'good'])).rejects.toBeInstanceOf(HelperUnavailableError);
  });
});
