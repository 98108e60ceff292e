import type { AxeResults, Result } from 'axe-core';
import { source as axeSource } from 'axe-core';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { CaughtMail } from '../../support/smtp-peer';
import { startTestApp, type TestApp } from '../../support/test-app';

/** Debian's Chromium; CHROMIUM names another binary. */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', 'screenshots');

export interface BrowserHarness extends TestApp {
  /** The app's origin, also its APP_URL: http://127.0.0.1:<port>. */
  origin: string;
  browser: Browser;
  /** A fresh browser profile (cookies, storage) whose relative URLs resolve against `origin`. */
  newContext(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** A port free now; the app listens on it right after (APP_URL must name it before start). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: the browser suite drives Debian's Chromium ` +
        '(apt-get install chromium), or set CHROMIUM to another Chromium binary',
    );
  }
  // Root (CI, this VM) cannot use Chromium's user-namespace sandbox.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/**
 * The real app (startTestApp: fresh database, real migrations, real SMTP peer, throttling off)
 * listening on 127.0.0.1 with APP_URL set to its own origin, so mailed links open in the
 * browser, plus a Chromium. `overrides` may depend on that origin (e.g. a provider that must
 * know the app's callback URL before the app starts).
 */
/** Settings for the app, or a function of its origin that returns them. */
export type HarnessOverrides =
  | Record<string, string>
  | ((origin: string) => Promise<Record<string, string>>);

export async function startBrowserHarness(
  overrides: HarnessOverrides = {},
): Promise<BrowserHarness> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const settings = typeof overrides === 'function' ? await overrides(origin) : overrides;
  const testApp = await startTestApp({ APP_URL: origin, ...settings });
  let browser: Browser | undefined;
  try {
    await testApp.app.listen(port, '127.0.0.1');
    browser = await launchChromium();
  } catch (error) {
    await testApp.close();
    throw error;
  }
  const launched = browser;
  return {
    ...testApp,
    origin,
    browser: launched,
    newContext: () => launched.newContext({ baseURL: origin }),
    async close() {
      await launched.close();
      await testApp.close();
    },
  };
}

/** What went wrong in each open page, until the test (or `takePageErrors`) collects it. */
const pageErrors = new Map<Page, string[]>();

/** How many requests each open page has sent and not yet seen answered. */
const inFlight = new Map<Page, number>();

/**
 * Waits until `page` has no request in flight (a page's sections load on their own after it
 * shows). A test that moves the clock waits for this first, so that no request sent before the
 * move is judged after it.
 */
export async function requestsSettled(page: Page, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((inFlight.get(page) ?? 0) > 0) {
    if (Date.now() > deadline) throw new Error(`${inFlight.get(page)} requests still in flight`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Binding the page calls on a CSP violation (bindings travel over CDP, not through the CSP). */
const CSP_BINDING = '__reportCspViolation';

interface CspViolation {
  directive: string;
  blocked: string;
  source: string;
}

/**
 * A new page whose errors fail the running test: an uncaught exception, a console error (a
 * failed request, a refused resource) or a Content-Security-Policy violation.
 */
export async function openPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(`uncaught ${error.name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      const { url, lineNumber } = message.location();
      errors.push(`console error: ${message.text()}${url ? ` (${url}:${lineNumber})` : ''}`);
    }
  });
  inFlight.set(page, 0);
  const settle = () => inFlight.set(page, (inFlight.get(page) ?? 1) - 1);
  page.on('request', () => inFlight.set(page, (inFlight.get(page) ?? 0) + 1));
  page.on('requestfinished', settle);
  page.on('requestfailed', settle);
  page.on('close', () => {
    pageErrors.delete(page);
    inFlight.delete(page);
  });
  await page.exposeBinding(CSP_BINDING, (_source, violation: CspViolation) => {
    errors.push(
      `CSP violation: ${violation.directive} refused ${violation.blocked || '(inline)'}` +
        (violation.source ? ` at ${violation.source}` : ''),
    );
  });
  // Runs before any of the page's own scripts, in every document the page loads.
  await page.addInitScript((binding: string) => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as Record<string, (v: CspViolation) => void>)[binding];
      report({
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        source: event.sourceFile ? `${event.sourceFile}:${event.lineNumber}` : '',
      });
    });
  }, CSP_BINDING);
  return page;
}

/** The errors the page has reported so far, which no longer fail the test. */
export function takePageErrors(page: Page): string[] {
  return (pageErrors.get(page) ?? []).splice(0);
}

/** Every open page's errors, collected: they fail the test (support/page-errors.setup.ts). */
export function takeAllPageErrors(): string[] {
  return [...pageErrors.values()].flatMap((errors) => errors.splice(0));
}

/** Fails now, rather than after the test, if a page has reported an error. */
export function expectNoPageErrors(): void {
  const errors = takeAllPageErrors();
  if (errors.length > 0) {
    throw new Error(`The page reported ${errors.length} error(s):\n  ${errors.join('\n  ')}`);
  }
}

const describeViolation = (violation: Result) =>
  [
    `${violation.id} (${violation.impact}): ${violation.help}`,
    ...violation.nodes.map(
      (node) => `    at ${node.target.join(' ')}: ${node.failureSummary?.replace(/\n/g, ' ')}`,
    ),
    `    ${violation.helpUrl}`,
  ].join('\n');

/**
 * Runs axe-core in the page and fails on any serious or critical violation. The script goes in
 * through DevTools (page.evaluate), which the page's CSP does not govern; the page's own CSP
 * still forbids inline script.
 */
export async function checkAccessibility(page: Page): Promise<AxeResults> {
  expectNoPageErrors();
  const loaded = await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object');
  if (!loaded) await page.evaluate(axeSource);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: typeof import('axe-core') }).axe.run(document, {
      resultTypes: ['violations'],
    }),
  );
  const severe = results.violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  if (severe.length > 0) {
    throw new Error(
      `axe-core found ${severe.length} serious or critical violation(s) on ${page.url()}:\n` +
        severe.map(describeViolation).join('\n'),
    );
  }
  return results;
}

const shotsTaken = new Map<string, number>();

/**
 * Saves test/browser/screenshots/<journey>/<nn>-<step>.png (gitignored), numbered in the order
 * taken; a journey's folder is emptied by its first screenshot of the run.
 */
export async function screenshot(page: Page, journey: string, step: string): Promise<string> {
  expectNoPageErrors();
  const dir = join(SCREENSHOTS, journey);
  const taken = shotsTaken.get(journey) ?? 0;
  if (taken === 0) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  shotsTaken.set(journey, taken + 1);
  const file = join(dir, `${String(taken + 1).padStart(2, '0')}-${step}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The latest mail to `address` (matching `subject`, if given), waiting for it to arrive. */
export function latestMailTo(
  harness: BrowserHarness,
  address: string,
  subject?: RegExp,
): Promise<CaughtMail> {
  return harness.smtp.waitForMail(address, subject);
}

/** The link in a mail's text part that starts with the app's origin. */
export function linkIn(harness: BrowserHarness, mail: CaughtMail): string {
  const escaped = harness.origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}/\\S+`).exec(mail.text);
  if (!match) throw new Error(`No link to ${harness.origin} in the mail: ${mail.text}`);
  return match[0];
}

/**
 * What a journey file shares: one app and Chromium for the file (`overrides` as for
 * startBrowserHarness), and a fresh browser profile (cookies, storage) with one open page for
 * each test. `newPage()` opens another fresh profile (another person's browser); all are closed
 * after each test. Read its fields inside the tests.
 */
export function useBrowser(overrides?: HarnessOverrides) {
  const others: BrowserContext[] = [];
  const browser = {
    async newPage(): Promise<Page> {
      const context = await browser.harness.newContext();
      others.push(context);
      return openPage(context);
    },
  } as { harness: BrowserHarness; context: BrowserContext; page: Page; newPage(): Promise<Page> };
  beforeAll(async () => {
    browser.harness = await startBrowserHarness(overrides);
  });
  afterAll(() => browser.harness?.close());
  beforeEach(async () => {
    browser.context = await browser.harness.newContext();
    browser.page = await openPage(browser.context);
  });
  afterEach(async () => {
    const contexts = [browser.context, ...others.splice(0)];
    await Promise.all(contexts.map((context) => context?.close()));
  });
  return browser;
}
