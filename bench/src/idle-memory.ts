/** Memory per idle connection: server RSS before and after opening N connections that only got the greeting. */
import { connect, type Socket } from 'node:net';
import { rssKiB } from './servers/processes.js';

export interface IdleFigures {
  connections: number;
  rssBeforeKiB: number;
  rssAfterKiB: number;
  perConnectionKiB: number;
}

function openIdle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('error', reject);
    sock.once('data', () => {
      sock.off('error', reject);
      sock.on('error', () => sock.destroy());
      resolve(sock);
    });
  });
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function idleMemory(pid: number, port: number, count: number): Promise<IdleFigures> {
  await settle(500);
  const rssBeforeKiB = await rssKiB(pid);
  const socks: Socket[] = [];
  try {
    // in batches: thousands of simultaneous SYNs would overflow the listen backlog
    for (let i = 0; i < count; i += 100) {
      socks.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => openIdle(port)))));
    }
    await settle(1000);
    const rssAfterKiB = await rssKiB(pid);
    return { connections: count, rssBeforeKiB, rssAfterKiB, perConnectionKiB: (rssAfterKiB - rssBeforeKiB) / count };
  } finally {
    for (const s of socks) s.destroy();
    await settle(500);
  }
}
