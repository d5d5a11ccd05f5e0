/**
 * A small hand-written SVG chart of the results: per scenario, one bar per server for logins/s
 * (linear) and for server CPU per login (logarithmic: Dovecot's forks dwarf the rest).
 */
export interface ChartBar {
  target: string;
  label: string;
  color: string;
}

export interface ChartInput {
  title: string;
  scenarios: { key: string; title: string }[];
  targets: ChartBar[];
  /** value of (target, scenario) or undefined when not measured */
  loginsPerS(target: string, scenario: string): number | undefined;
  cpuPerLoginUs(target: string, scenario: string): number | undefined;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function compact(n: number): string {
  if (n >= 10_000) return `${(n / 1000).toFixed(0)}k`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)}k`;
  return n.toFixed(0);
}

export function renderChart(c: ChartInput): string {
  const barW = 14;
  const gap = 3;
  const groupGap = 26;
  const groupW = c.targets.length * (barW + gap) - gap;
  const left = 60;
  const panelH = 150;
  // at least room for three legend columns
  const width = Math.max(680, left + c.scenarios.length * (groupW + groupGap) + 10);
  const top1 = 48;
  const top2 = top1 + panelH + 60;
  const legendY = top2 + panelH + 52;
  const height = legendY + Math.ceil(c.targets.length / 3) * 18 + 10;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="bold">${esc(c.title)}</text>`,
  );

  const panel = (top: number, title: string, value: (t: string, s: string) => number | undefined, log: boolean) => {
    const values = c.scenarios.flatMap((s) => c.targets.map((t) => value(t.target, s.key) ?? 0)).filter((v) => v > 0);
    const max = Math.max(1, ...values);
    const lo = log ? Math.pow(10, Math.floor(Math.log10(Math.min(...values, max)))) : 0;
    const hi = log ? Math.pow(10, Math.ceil(Math.log10(max))) : max * 1.1;
    const y = (v: number) => {
      const f = log ? (Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1) : v / hi;
      return top + panelH - f * panelH;
    };
    out.push(`<text x="${left}" y="${top - 10}" font-weight="bold">${esc(title)}</text>`);
    const ticks = log
      ? Array.from({ length: Math.round(Math.log10(hi / lo)) + 1 }, (_, i) => lo * Math.pow(10, i))
      : Array.from({ length: 5 }, (_, i) => (hi / 4) * i);
    for (const t of ticks) {
      out.push(`<line x1="${left - 4}" x2="${width - 10}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#ddd"/>`);
      out.push(`<text x="${left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" fill="#555">${compact(t)}</text>`);
    }
    c.scenarios.forEach((s, si) => {
      const gx = left + si * (groupW + groupGap);
      c.targets.forEach((t, ti) => {
        const v = value(t.target, s.key);
        if (v === undefined || v <= 0) return;
        const x = gx + ti * (barW + gap);
        const yy = y(v);
        out.push(
          `<rect x="${x}" y="${yy.toFixed(1)}" width="${barW}" height="${(top + panelH - yy).toFixed(1)}" fill="${t.color}"><title>${esc(`${t.label}, ${s.title}: ${v.toFixed(0)}`)}</title></rect>`,
        );
        out.push(`<text x="${x + barW / 2}" y="${(yy - 3).toFixed(1)}" text-anchor="middle" font-size="8" fill="#333">${compact(v)}</text>`);
      });
      out.push(`<text x="${gx + groupW / 2}" y="${top + panelH + 14}" text-anchor="middle" font-size="9">${esc(s.title)}</text>`);
    });
  };

  panel(top1, 'logins per second (higher is better)', c.loginsPerS, false);
  panel(top2, 'server CPU per login, µs (lower is better; log scale)', c.cpuPerLoginUs, true);
  c.targets.forEach((t, i) => {
    const x = left + (i % 3) * 205;
    const yy = legendY + Math.floor(i / 3) * 18;
    out.push(`<rect x="${x}" y="${yy - 10}" width="12" height="12" fill="${t.color}"/>`);
    out.push(`<text x="${x + 17}" y="${yy}">${esc(t.label)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
