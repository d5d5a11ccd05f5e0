import { fileURLToPath } from 'node:url';
import { freePort, startProcess, stopProcess } from './processes.js';
import { BENCH_PASSWORD, BENCH_USER, type Target } from './target.js';

const SCRIPT = fileURLToPath(new URL('./bare-server.js', import.meta.url));

export async function startBaseline(openFiles: number): Promise<Target> {
  const [imapPort, popPort] = [await freePort(), await freePort()];
  const child = await startProcess(process.execPath, [SCRIPT, String(imapPort), String(popPort), BENCH_USER, BENCH_PASSWORD], {
    readyText: 'ready',
    openFiles,
  });
  return {
    key: 'baseline',
    label: 'bare Node baseline',
    imapPort,
    popPort,
    pid: child.pid!,
    tree: false,
    credentials: { user: BENCH_USER, password: BENCH_PASSWORD },
    stop: () => stopProcess(child),
  };
}
