/**
 * The web admin's built files, for the server that serves them: index.html, style.css and the
 * compiled app modules under app/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the folder holding the built site (apps/webadmin/dist/site). */
export function webadminRoot(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'site');
}

/** The URL prefix the gateway serves the site under. */
export const WEBADMIN_PREFIX = '/admin/';
