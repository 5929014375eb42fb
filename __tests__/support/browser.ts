// A real headless Chromium for the report's test (SPEC §23): the binary ships inside the npm
// package @sparticuz/chromium (unpacked to the temp directory on first use, nothing downloaded)
// and puppeteer-core drives it. The page is opened from its file; every request it makes other
// than that file is refused and recorded, every console error kept, and a screenshot written in
// each colour scheme under .tmp/test-output/. A missing browser fails the test, saying why.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const TEST_OUTPUT = resolve('.tmp/test-output');

export interface PageSeen {
  /** Every request the page made beyond its own file (none expected). */
  requests: string[];
  consoleErrors: string[];
  /** How many chart SVGs it shows. */
  charts: number;
  /** What it says (document.body.innerText), with the chart tables opened. */
  text: string;
  /** The page background in the light and the dark scheme (they must differ). */
  background: { light: string; dark: string };
  screenshots: string[];
}

async function launch() {
  try {
    const { default: chromium } = await import('@sparticuz/chromium');
    const { default: puppeteer } = await import('puppeteer-core');
    const executablePath = await chromium.executablePath();
    return await puppeteer.launch({ executablePath, args: chromium.args, headless: true });
  } catch (e) {
    throw new Error(
      `Headless Chromium did not start: ${(e as Error).message}. It comes from the npm packages @sparticuz/chromium and puppeteer-core (devDependencies): run npm ci, on Linux x64 with Node 22.17 or later (the suite runs on Node 24).`,
      { cause: e },
    );
  }
}

/**
 * Opens `file` in headless Chromium and reports what it shows; screenshots go to
 * .tmp/test-output/<name>-light.png and -dark.png (and with UPDATE_DOCS=1 the light one to
 * docs/images/<name>.png, where docs/metrics.md shows it).
 */
export async function openReport(file: string, name: string): Promise<PageSeen> {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const url = pathToFileURL(file).href;
    const requests: string[] = [];
    const consoleErrors: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      if (req.url() === url) void req.continue();
      else {
        requests.push(req.url());
        void req.abort();
      }
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('requestfailed', (req) => {
      if (req.url() === url) consoleErrors.push(`the page itself failed to load: ${req.url()}`);
    });
    await page.setViewport({ width: 1200, height: 900 });
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'light' }]);
    await page.goto(url, { waitUntil: 'load' });
    mkdirSync(TEST_OUTPUT, { recursive: true });
    const shot = (scheme: string) => join(TEST_OUTPUT, `${name}-${scheme}.png`);
    // (Strings: this code runs in the page, where the DOM is; the tests are typed for Node.)
    const background = async () =>
      page.evaluate('getComputedStyle(document.body).backgroundColor') as Promise<string>;
    const light = await background();
    await page.screenshot({ path: shot('light'), fullPage: true });
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    const dark = await background();
    await page.screenshot({ path: shot('dark'), fullPage: true });
    if (process.env.UPDATE_DOCS) {
      mkdirSync('docs/images', { recursive: true });
      copyFileSync(shot('light'), join('docs/images', `${name}.png`));
    }
    const seen = (await page.evaluate(`(() => {
      for (const d of document.querySelectorAll('details')) d.open = true;
      return {
        charts: document.querySelectorAll('.chart svg').length,
        text: document.body.innerText,
      };
    })()`)) as { charts: number; text: string };
    return {
      requests,
      consoleErrors,
      ...seen,
      background: { light, dark },
      screenshots: [shot('light'), shot('dark')],
    };
  } finally {
    await browser.close();
  }
}
