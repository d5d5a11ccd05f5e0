import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { PassiveChannel } from '../src/index.js';

function connect(port: number): Promise<net.Socket | 'refused'> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => resolve(s));
    s.once('error', () => resolve('refused'));
  });
}

describe('PassiveChannel', () => {
  it('accepts the first connection only, then stops listening', async () => {
    const ch = await PassiveChannel.open({ bindAddress: '127.0.0.1', acceptTimeoutMs: 5000 });
    const first = await connect(ch.port);
    expect(first).not.toBe('refused');
    const accepted = await ch.accept();
    expect(accepted.remotePort).toBe((first as net.Socket).localPort);
    await new Promise((r) => setTimeout(r, 50));
    expect(await connect(ch.port)).toBe('refused');
    await expect(ch.accept()).rejects.toThrow();
    accepted.destroy();
    (first as net.Socket).destroy();
  });

  it('uses a port of the configured range', async () => {
    const min = 41_000 + Math.floor(Math.random() * 10_000);
    const ch = await PassiveChannel.open({ bindAddress: '127.0.0.1', ports: { min, max: min + 5 }, acceptTimeoutMs: 5000 });
    expect(ch.port).toBeGreaterThanOrEqual(min);
    expect(ch.port).toBeLessThanOrEqual(min + 5);
    ch.close();
  });

  it('gives up when nobody connects in time, and when closed', async () => {
    const ch = await PassiveChannel.open({ bindAddress: '127.0.0.1', acceptTimeoutMs: 50 });
    await expect(ch.accept()).rejects.toThrow(/no data connection/);
    expect(await connect(ch.port)).toBe('refused');
    const ch2 = await PassiveChannel.open({ bindAddress: '127.0.0.1', acceptTimeoutMs: 5000 });
    const waiting = ch2.accept();
    ch2.close();
    await expect(waiting).rejects.toThrow();
  });
});
