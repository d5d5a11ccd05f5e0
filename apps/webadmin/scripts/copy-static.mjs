// tsc compiles the app's TypeScript; the page and its style sheet are copied beside it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const from = path.join(root, 'src/site');
const to = path.join(root, 'dist/site');
const STATIC = new Set(['.html', '.css', '.svg', '.ico']);

async function copy(dir) {
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const src = path.join(dir, entry.name);
    if (entry.isDirectory()) await copy(src);
    else if (STATIC.has(path.extname(entry.name))) {
      const dest = path.join(to, path.relative(from, src));
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.copyFile(src, dest);
    }
  }
}
await copy(from);
