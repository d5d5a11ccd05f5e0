/**
 * Serves the web admin (apps/webadmin's built site) at /admin/. The files are listed once at
 * start-up and only those exact paths are served, so no request path can reach outside the site.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { RouteRegistrar } from '@portcullis/http';
import { webadminRoot } from '@portcullis/webadmin';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The browser may run only the site's own scripts and talk only to its own origin. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  // the site changes with each build; a stale cached module would mix two versions
  'cache-control': 'no-cache',
};

async function listSite(root: string): Promise<Map<string, { file: string; type: string }>> {
  const files = new Map<string, { file: string; type: string }>();
  async function walk(dir: string): Promise<void> {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const type = CONTENT_TYPES[path.extname(entry.name)];
        // .d.ts and .map files are build by-products, not part of the site
        if (!type || entry.name.endsWith('.d.ts')) continue;
        files.set(path.relative(root, full).split(path.sep).join('/'), { file: full, type });
      }
    }
  }
  await walk(root);
  return files;
}

export interface WebadminRouteOptions {
  /** the built site's folder (default: @portcullis/webadmin's) */
  root?: string;
}

export function webadminRoute(options: WebadminRouteOptions = {}): RouteRegistrar {
  return async (app) => {
    const root = options.root ?? webadminRoot();
    let files: Map<string, { file: string; type: string }>;
    try {
      files = await listSite(root);
    } catch (err) {
      // a gateway built without the web admin still serves everything else
      app.log.warn({ err, root }, 'web admin not built: /admin/ answers 404');
      files = new Map();
    }
    app.get('/admin', async (_req, reply) => reply.redirect('/admin/', 301));
    app.get('/admin/*', async (req, reply) => {
      const rest = (req.params as { '*': string })['*'];
      const hit = files.get(rest === '' ? 'index.html' : rest);
      if (!hit) return reply.code(404).type('application/json').send({ error: 'not found' });
      const body = await fs.readFile(hit.file);
      return reply.headers(SECURITY_HEADERS).type(hit.type).send(body);
    });
  };
}
