export interface ListenerRow {
  service: string;
  address: string;
  port: number;
  tls: string;
}

/** A plain, aligned table for the operator's terminal. */
export function formatListenerTable(rows: readonly ListenerRow[]): string {
  const header = ['SERVICE', 'ADDRESS', 'PORT', 'TLS'];
  const cells = rows.map((r) => [r.service, r.address, String(r.port), r.tls]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...cells.map(line)].join('\n') + '\n';
}
