/**
 * Virtual paths: what the client sees, always absolute, `/` being the account's storage root.
 * Resolution is purely textual here; `..` can never climb above `/`. The storage layer then checks
 * the real file system (symbolic links) as well.
 */
import path from 'node:path';

/** The absolute, normalized virtual path of `arg` seen from `cwd` (itself a virtual path). */
export function resolveVirtual(cwd: string, arg: string | undefined): string {
  const input = arg === undefined || arg === '' ? '.' : arg.replace(/\\/g, '/');
  const joined = input.startsWith('/') ? input : `${cwd}/${input}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** The real path of a (resolved) virtual path under root. */
export function toRealPath(root: string, virtual: string): string {
  return path.join(root, ...virtual.split('/').filter((p) => p !== ''));
}

export function virtualParent(virtual: string): string {
  return resolveVirtual(virtual, '..');
}

export function virtualBaseName(virtual: string): string {
  return virtual === '/' ? '/' : (virtual.split('/').pop() ?? '');
}
