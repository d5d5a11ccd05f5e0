#!/usr/bin/env node
// Thin launcher so the bin link exists before the first build; the code lives in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('portcullis: not built yet; run `npm run build` in the repository root\n');
  process.exit(1);
}
await import(entry.href);
