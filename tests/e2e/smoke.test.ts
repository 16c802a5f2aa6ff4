import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, launchBrowser, type LaunchedBrowser } from './helpers/browser';
import { serveStatic, type StaticSite } from './helpers/server';

const DIST = path.resolve(import.meta.dirname, '../../dist');

describe('the built landing page', () => {
  let site: StaticSite;
  let launched: LaunchedBrowser;
  beforeAll(async () => {
    site = await serveStatic(DIST);
    launched = await launchBrowser();
  });
  afterAll(async () => {
    await launched?.close();
    await site?.close();
  });

  it('offers the three ways in and opens search from the big search button', async () => {
    const page = await launched.browser.newPage();
    const errors = collectPageErrors(page);
    await page.goto(site.url);
    for (const name of ['I have an alert', 'I need a procedure', 'I am planning capacity']) {
      await expect(page.getByText(name, { exact: true }).isVisible()).resolves.toBe(true);
    }
    await page.getByRole('button', { name: /Search the handbook/ }).click();
    await page.locator('dialog[open]').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });
});
