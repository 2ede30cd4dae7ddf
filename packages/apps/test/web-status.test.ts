/**
 * The status page in a real browser: headless Chromium (driven by
 * playwright-core, using the system's /usr/bin/chromium) loads
 * /_dios/status, which lists the kernel's tasks, among them the server
 * task and the connection task serving the browser, refreshes itself, and
 * is saved as a screenshot. The JSON endpoint is read over fetch.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelStatus } from '@dios/kernel';
import { CHROMIUM, missing, startFixture, type WebFixture } from './web-helpers.js';

const why = missing(CHROMIUM);
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

describe.skipIf(why !== undefined)('status page in headless Chromium', () => {
  let web: WebFixture;
  let profile: string;
  beforeAll(async () => {
    web = await startFixture();
    profile = mkdtempSync(join(tmpdir(), 'dios-chromium-'));
  });
  afterAll(async () => {
    await web?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('the JSON endpoint lists the tasks and objects with their figures', async () => {
    const res = await fetch(`${web.url}_dios/status.json`);
    expect(res.headers.get('content-type')).toBe('application/json');
    const status = (await res.json()) as KernelStatus;
    expect(status.kernel).toBe('web-test');
    const server = status.tasks.find((t) => t.argv[0] === 'dios-httpd');
    expect(server?.state).toBe('running');
    expect(server?.process).toBe('pure');
    expect(server!.stats.calls.run).toBeGreaterThan(0);
    // The task answering this very request is live and has read it.
    expect(
      status.tasks.some((t) => t.argv[0] === 'dios-httpd-conn' && t.state === 'running' && t.stats.bytesRead > 0),
    ).toBe(true);
    expect(status.objects.some((o) => o.type === 'tcp-listener' && o.address === `127.0.0.1:${web.port}`)).toBe(true);
    expect(status.objects.some((o) => o.type === 'durable-blob')).toBe(true);
  });

  it(
    'Chromium shows the tasks, refreshes the page in place, and a screenshot is saved',
    { timeout: 90_000 },
    async () => {
      const { chromium } = await import('playwright-core');
      // A fresh profile directory: playwright passes it as --user-data-dir.
      const browser = await chromium.launchPersistentContext(join(profile, 'user-data'), {
        executablePath: CHROMIUM,
        args: ARGS,
        headless: true,
        viewport: { width: 1200, height: 900 },
      });
      try {
        const page = await browser.newPage();
        const response = await page.goto(`${web.url}_dios/status`);
        expect(response?.status()).toBe(200);
        expect(await page.title()).toBe('DIOS kernel web-test');
        const live = page.locator('#live-tasks tr');
        expect(await live.count()).toBeGreaterThan(2);
        const text = await page.locator('#live-tasks').innerText();
        expect(text).toMatch(/dios-httpd --root=\/www[^\t]*\tpure\trunning/);
        expect(text).toContain('dios-httpd-conn');
        expect(text).toContain('init');
        // The page fetches itself again: the snapshot time changes without a navigation.
        const first = await page.locator('main time').innerText();
        // A string, evaluated in the page (this file is not compiled with the DOM's types).
        await page.waitForFunction(
          `document.querySelector('main time')?.textContent !== ${JSON.stringify(first)}`,
          undefined,
          { timeout: 20_000 },
        );
        // Kept after the run (in the temporary directory) for a person to look at.
        const shot = join(tmpdir(), 'dios-web-status.png');
        await page.screenshot({ path: shot, fullPage: true });
        expect(statSync(shot).size).toBeGreaterThan(10_000);
        console.log(`status page screenshot: ${shot}`);
      } finally {
        await browser.close();
      }
    },
  );
});
