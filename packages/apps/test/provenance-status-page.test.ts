/**
 * The status page's live graph of flows: the host publishes the kernel's
 * provenance log, a connection task draws it as SVG at
 * /_dios/status/graph.svg and inside /_dios/status, under the status page's
 * access rule. Headless Chromium (playwright-core, /usr/bin/chromium) loads
 * the page, finds the drawing with the server's and connection tasks' nodes
 * in it, and saves a screenshot.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, missing, startFixture, type WebFixture } from './web-helpers.js';

const why = missing(CHROMIUM);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'];

// The SVG's text with Graphviz's entity for '-' undone.
const text = (svg: string): string => svg.replace(/&#45;/g, '-');

describe('the graph of flows on the status page', () => {
  let web: WebFixture;
  beforeAll(async () => {
    web = await startFixture();
  });
  afterAll(async () => {
    await web?.close();
  });

  it('is served as SVG, with the tasks and the objects they read and write', async () => {
    expect((await fetch(`${web.url}hello.txt`)).status).toBe(200);
    // Published a moment after the flows: asked again until the connection that served hello.txt is in it.
    let svg = '';
    for (let i = 0; i < 100 && !text(svg).includes('dios-httpd-conn'); i++) {
      const res = await fetch(`${web.url}_dios/status/graph.svg`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/svg+xml');
      svg = await res.text();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(svg.startsWith('<svg')).toBe(true);
    for (const label of ['dios-httpd-conn', 'dios-httpd ', 'init ', 'durable-blob', 'read', 'write']) {
      expect(text(svg)).toContain(label);
    }
    expect(web.failures).toEqual([]);
  });

  it('follows the status page access rule: off means 404', async () => {
    const off = await startFixture({ status: 'off' });
    try {
      expect((await fetch(`${off.url}_dios/status/graph.svg`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });

  describe.skipIf(why !== undefined)('in headless Chromium', () => {
    let profile: string;
    beforeAll(() => {
      profile = mkdtempSync(join(tmpdir(), 'dios-chromium-graph-'));
    });
    afterAll(() => {
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    it('shows the drawing inside the status page, and a screenshot is saved', { timeout: 90_000 }, async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launchPersistentContext(join(profile, 'user-data'), {
        executablePath: CHROMIUM,
        args: ARGS,
        headless: true,
        viewport: { width: 1400, height: 1000 },
      });
      try {
        const page = await browser.newPage();
        const response = await page.goto(`${web.url}_dios/status`);
        expect(response?.status()).toBe(200);
        const graph = page.locator('#flow-graph svg');
        expect(await graph.count()).toBe(1);
        // Nodes as Graphviz draws them: one <g class="node"> each, titled with its id.
        expect(await page.locator('#flow-graph g.node').count()).toBeGreaterThan(3);
        const labels = await page.locator('#flow-graph g.node text').allTextContents();
        expect(labels.some((l) => l.startsWith('dios-httpd-conn '))).toBe(true);
        expect(labels.some((l) => l.startsWith('dios-httpd '))).toBe(true);
        expect(labels.some((l) => l.startsWith('init '))).toBe(true);
        expect(labels.some((l) => l.startsWith('durable-blob '))).toBe(true);
        // Measured inside the page in one step: the page swaps its snapshot in every second, so an
        // element found by one query may be detached by the next (boundingBox would then be null).
        const width: unknown = await page.evaluate(
          "document.querySelector('#flow-graph svg')?.getBoundingClientRect().width ?? 0",
        );
        expect(width).toBeGreaterThan(100);
        // Kept after the run for a person to look at.
        const shots = mkdtempSync(join(tmpdir(), 'dios-provenance-shot-'));
        const shot = join(shots, 'status-graph.png');
        await page.screenshot({ path: shot, fullPage: true });
        expect(statSync(shot).size).toBeGreaterThan(10_000);
        console.log(`status page graph screenshot: ${shot}`);
      } finally {
        await browser.close();
      }
    });
  });
});
