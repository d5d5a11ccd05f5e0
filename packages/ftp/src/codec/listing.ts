/**
 * Directory listings: the `ls -l` style lines clients parse from LIST, the names of NLST, and the
 * machine-readable facts of MLSD/MLST (RFC 3659 section 7). Pure.
 */

export interface EntryFacts {
  name: string;
  type: 'file' | 'dir';
  size: number;
  mtime: Date;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** RFC 3659 time-val: YYYYMMDDHHMMSS in UTC (MDTM and the modify fact). */
export function timeVal(d: Date): string {
  return (
    `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
  );
}

/** One `ls -l` line; recent files show the time, older ones the year, as ls does. */
export function listLine(e: EntryFacts, now: Date = new Date()): string {
  const mode = e.type === 'dir' ? 'drwxr-xr-x' : '-rw-r--r--';
  const d = e.mtime;
  const sixMonths = 182 * 86_400_000;
  const recent = Math.abs(now.getTime() - d.getTime()) < sixMonths;
  const when = recent ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : ` ${d.getUTCFullYear()}`;
  const date = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${when}`;
  return `${mode} 1 ftp ftp ${String(e.size).padStart(12, ' ')} ${date} ${e.name}`;
}

/** MLSx facts then a space and the name (RFC 3659 section 7.2). */
export function mlsxLine(e: EntryFacts, cdir = false): string {
  const type = cdir ? 'cdir' : e.type;
  const perm = e.type === 'dir' ? 'elcmfp' : 'radfw';
  const size = e.type === 'file' ? `size=${e.size};` : '';
  return `type=${type};${size}modify=${timeVal(e.mtime)};perm=${perm}; ${e.name}`;
}

/** A name fit for a listing line: one without CR or LF (which would split the line). */
export function listable(name: string): boolean {
  return !/[\r\n]/.test(name);
}
