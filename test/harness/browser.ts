/**
 * Debian's Chromium, headless, driven by playwright-core: a fresh profile in a temp dir per
 * browser, no outside network chatter (without those flags it tries outside hosts and stalls),
 * and the profile removed on close.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO_ROOT } from './run.js';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export class Browser {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    private readonly profileDir: string,
  ) {}

  static async launch(opts: { width?: number; height?: number } = {}): Promise<Browser> {
    const profileDir = await fs.mkdtemp(path.join(os.tmpdir(), 'portcullis-chromium-'));
    // playwright passes --user-data-dir itself for a persistent context
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: opts.width ?? 1200, height: opts.height ?? 800 },
      timeout: 30_000,
    });
    context.setDefaultTimeout(10_000);
    const page = context.pages()[0] ?? (await context.newPage());
    return new Browser(context, page, profileDir);
  }

  /** Save a PNG of the page under docs/screenshots when PORTCULLIS_SCREENSHOTS=1 (CI leaves the tree alone). */
  async screenshot(name: string): Promise<void> {
    if (process.env['PORTCULLIS_SCREENSHOTS'] !== '1') return;
    const dir = path.join(REPO_ROOT, 'docs/screenshots');
    await fs.mkdir(dir, { recursive: true });
    await this.page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await fs.rm(this.profileDir, { recursive: true, force: true });
  }
}

/** Wait until the locator's text matches (the pages draw after their API answers). */
export async function expectText(locator: Locator, re: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent({ timeout: 5_000 }).catch(() => '')) ?? '';
    if (re.test(last)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(last).toMatch(re);
}
