/**
 * "Your cluster": values typed once fill the "Set up your shell" blocks, in what is shown and in what the copy
 * button copies. Hostile values (`a'b`, `$(touch pwned)`, a backtick command) are copied out of the backup
 * page's set-up block through the real clipboard, run by bash in an empty directory, and must come back as the
 * same strings with no file created. Values survive a reload, fill the print edition, never appear in a request,
 * and "clear" brings the examples back.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { collectPageErrors, launchBrowser, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';
import { BASE, DIST, PAGE_LOAD_TIMEOUT_MS, settle, themedContext } from './helpers/site';

const PHONE_390 = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 };
const BACKUP_PAGE = 'runbooks/etcd-backup-restore/';
const TYPED = {
  cp1Name: "a'b",
  cp1Ip: '10.20.30.41',
  cp2Name: '`touch pwned-backtick`',
  backupRemote: '$(touch pwned)',
};

let site: StaticSite;
let launched: LaunchedBrowser;
let context: BrowserContext;
const requested: string[] = [];

beforeAll(async () => {
  site = await serveStatic(DIST, BASE);
  launched = await launchBrowser();
  context = await themedContext(launched.browser, 'light', PHONE_390);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(site.url).origin });
  context.on('request', (request) => requested.push(request.url() + ' ' + (request.postData() ?? '')));
});

afterAll(async () => {
  await context?.close();
  await launched?.close();
  await site?.close();
});

const setupBlock = (page: Page) =>
  page.locator('.expressive-code').filter({ has: page.locator('figcaption .title', { hasText: /^Set up your shell$/ }) }).first();

/** Runs `code` in bash in an empty directory; returns the named variables and any files that appeared. */
function runInBash(code: string, names: string[]): { values: Record<string, string>; files: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'your-cluster-e2e-'));
  try {
    const script = `${code}\nprintf '%s\\0' ${names.map((name) => `"$${name}"`).join(' ')}`;
    const output = execFileSync('bash', ['--noprofile', '--norc', '-c', script], { cwd: dir, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir } });
    const parts = output.split('\0');
    return { values: Object.fromEntries(names.map((name, index) => [name, parts[index] ?? ''])), files: readdirSync(dir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Your cluster', () => {
  it('pages without a set-up block do not load the panel', async () => {
    const page = await context.newPage();
    try {
      await page.goto(new URL('alerts/etcdnoleader/', site.url).href);
      await expect(page.locator('handbook-your-cluster').count()).resolves.toBe(0);
    } finally {
      await page.close();
    }
  });

  it('marks the examples, fills typed values into the copied block, and bash gets them back literally', async () => {
    const page = await context.newPage();
    const errors = collectPageErrors(page);
    try {
      await page.goto(new URL(BACKUP_PAGE, site.url).href);
      await settle(page);
      await page.locator('.hb-cluster-bar').first().waitFor();
      const block = setupBlock(page);
      await expect(block.locator('mark.hb-example', { hasText: /^10\.0\.0\.11$/ }).count()).resolves.toBeGreaterThan(0);
      await expect(block.locator('mark.hb-example', { hasText: /^cp-1$/ }).count()).resolves.toBeGreaterThan(0);
      const bar = page.locator('.hb-cluster-bar').first();
      await expect(bar.innerText()).resolves.toContain('marked values are examples');

      await bar.getByRole('button', { name: 'enter yours' }).tap();
      const panel = page.getByRole('region', { name: 'Your cluster' });
      await expect(panel.isVisible()).resolves.toBe(true);
      await panel.getByLabel('Control-plane node 1: name').fill(TYPED.cp1Name);
      await panel.getByLabel('Control-plane node 1: IP address').fill(TYPED.cp1Ip);
      await panel.getByLabel('Control-plane node 2: name').fill(TYPED.cp2Name);
      await panel.getByLabel('Backup target (scp destination)').fill(TYPED.backupRemote);
      await panel.getByRole('button', { name: 'Done' }).tap();
      await expect(bar.innerText()).resolves.toContain('using your values');

      // Copy with the block's own button, then read the real clipboard.
      await block.locator('.copy button').click();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      const source = (await block.locator('.copy button').getAttribute('data-code'))?.replace(/\u007f/g, '\n');
      expect(copied).toBe(source);
      expect(copied).toContain('export CP1_NAME=');

      const { values, files } = runInBash(copied, ['CP1_NAME', 'CP1_CLIENT_URL', 'CP1_PEER_URL', 'CP2_NAME', 'CP3_NAME', 'BACKUP_REMOTE', 'ETCDCTL_ENDPOINTS']);
      expect(files).toEqual([]);
      expect(values).toEqual({
        CP1_NAME: TYPED.cp1Name,
        CP1_CLIENT_URL: `https://${TYPED.cp1Ip}:2379`,
        CP1_PEER_URL: `https://${TYPED.cp1Ip}:2380`,
        CP2_NAME: TYPED.cp2Name,
        // Not entered: the example stays.
        CP3_NAME: 'cp-3',
        BACKUP_REMOTE: TYPED.backupRemote,
        ETCDCTL_ENDPOINTS: `https://${TYPED.cp1Ip}:2379,https://10.0.0.12:2379,https://10.0.0.13:2379`,
      });

      // Survives a reload; the shown block carries the values too.
      await page.reload();
      await settle(page);
      await page.locator('.hb-cluster-bar').first().waitFor();
      await expect(page.locator('.hb-cluster-bar').first().innerText()).resolves.toContain('using your values');
      await expect(setupBlock(page).locator('mark.hb-value', { hasText: TYPED.cp1Ip }).count()).resolves.toBeGreaterThan(0);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('fills the print edition (the binder and a checklist), and the values never left the browser', async () => {
    const page = await context.newPage();
    try {
      // The binder and the checklist lay out pages they fetch; the values must reach those blocks too.
      for (const path of ['print/?section=runbooks', 'print/checklist/?runbook=etcd-backup-restore']) {
        await page.goto(new URL(path, site.url).href, { timeout: PAGE_LOAD_TIMEOUT_MS });
        await settle(page);
        await page.locator('mark.hb-value').first().waitFor({ timeout: PAGE_LOAD_TIMEOUT_MS });
        const filled = await page.locator('mark.hb-value', { hasText: TYPED.cp1Ip }).count();
        expect(filled, path).toBeGreaterThan(0);
      }
      for (const value of Object.values(TYPED)) {
        const encoded = [value, encodeURIComponent(value)];
        expect(requested.filter((entry) => encoded.some((form) => entry.includes(form)))).toEqual([]);
      }
    } finally {
      await page.close();
    }
  });

  it('"clear" brings the examples back and empties storage', async () => {
    const page = await context.newPage();
    try {
      await page.goto(new URL(BACKUP_PAGE, site.url).href);
      await settle(page);
      await page.locator('.hb-cluster-bar').first().waitFor();
      await page.locator('.hb-cluster-bar').first().getByRole('button', { name: 'clear' }).tap();
      await expect(page.locator('.hb-cluster-bar').first().innerText()).resolves.toContain('marked values are examples');
      const code = (await setupBlock(page).locator('.copy button').getAttribute('data-code'))?.replace(/\u007f/g, '\n') ?? '';
      expect(code).toContain('export CP1_NAME=cp-1 CP1_CLIENT_URL=https://10.0.0.11:2379');
      await expect(page.evaluate(() => localStorage.getItem('handbook-your-cluster'))).resolves.toBeNull();
    } finally {
      await page.close();
    }
  });
});
