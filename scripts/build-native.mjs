// Builds a package's native addon with node-gyp and copies it into the package's dist/native/.
// Usage, from a package's `build` script: node ../../scripts/build-native.mjs <addon-name>
// (the package's binding.gyp lives in src/native/ and names the target <addon-name>).
// It runs from `npm run build` (turbo, and so the root `prepare` after `npm ci`), not as an npm
// install script: npm 11 runs no install scripts unless allowed, and a build step needs no such
// permission. node-gyp would download Node's headers; the Node we run under ships them
// (include/node) and the machines here reach no host but the registries, so it is told where.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const addon = process.argv[2];
if (!addon) {
  process.stderr.write('usage: build-native.mjs <addon-name>\n');
  process.exit(2);
}
const pkg = process.cwd();
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
cpSync(join(nativeDir, 'build', 'Release', `${addon}.node`), join(pkg, 'dist', 'native', `${addon}.node`));
rmSync(join(nativeDir, 'build'), { recursive: true, force: true });
