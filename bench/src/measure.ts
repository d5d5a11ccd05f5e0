/** Run `op` repeatedly for about `seconds` and report operations per second and latency. */
export interface Figures {
  name: string;
  ops: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

export async function measure(name: string, seconds: number, op: () => Promise<void>, concurrency = 1): Promise<Figures> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await op();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { name, ops: latencies.length, perSecond: latencies.length / elapsed, p50ms: at(0.5), p99ms: at(0.99) };
}

export function printTable(rows: Figures[]): void {
  const header = ['benchmark', 'ops', 'ops/s', 'p50 ms', 'p99 ms'];
  const lines = rows.map((r) => [r.name, String(r.ops), r.perSecond.toFixed(0), r.p50ms.toFixed(2), r.p99ms.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cols: string[]): string => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(fmt(header));
  for (const l of lines) console.log(fmt(l));
}
