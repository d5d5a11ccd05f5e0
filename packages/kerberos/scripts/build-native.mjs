// Builds the GSS-API binding with node-gyp into dist/native/. Run by `npm run build` (turbo, and
// so by the root `prepare` after `npm ci`), not as an install script: npm 11 runs no dependency
// install scripts unless allowed, and a build step needs no such permission. node-gyp would
// download Node's headers; the Node we run under ships them (include/node), so it is told where.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(pkg, 'src', 'native');

function nodeGypScript() {
  if (process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  const npmRoot = execFileSync('npm', ['root', '-g'], { encoding: 'utf8' }).trim();
  const bundled = join(npmRoot, 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(bundled)) return bundled;
  return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
}

const prefix = resolve(process.execPath, '..', '..');
const args = [nodeGypScript(), 'rebuild', `--directory=${nativeDir}`];
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
args.push('--loglevel=warn');
execFileSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
mkdirSync(join(pkg, 'dist', 'native'), { recursive: true });
cpSync(join(nativeDir, 'build', 'Release', 'portcullis_gss.node'), join(pkg, 'dist', 'native', 'portcullis_gss.node'));
rmSync(join(nativeDir, 'build'), { recursive: true, force: true });
