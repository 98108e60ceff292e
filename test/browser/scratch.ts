import { chromium, type Browser, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { startTestApp, TestApp } from '../support/test-app';
import { newIdentity } from '../support/factories';
import { totp } from '../support/totp';

const PORT = 3917;
const URL_BASE = `http://127.0.0.1:${PORT}`;
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startTestApp({ APP_URL: URL_BASE });
  await t.app.listen(PORT, '127.0.0.1');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  mkdirSync('/tmp/shots', { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

function watch(page: Page, errors: string[]) {
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
}

it('signs up, verifies, logs in, turns on two-factor', async () => {
  const errors: string[] = [];
  const page = await browser.newPage();
  watch(page, errors);
  const id = newIdentity('b');
  await page.goto(`${URL_BASE}/app/signup`);
  await page.getByLabel('Username').fill(id.username);
  await page.getByLabel('Email').fill(id.email);
  await page.getByLabel('Password').fill(id.password);
  await page.getByRole('button', { name: 'Create the account' }).click();
  await page.getByText('Check your inbox').waitFor();
  await page.screenshot({ path: '/tmp/shots/1-signup-done.png' });
  const mail = await t.smtp.waitForMail(id.email, /Confirm/);
  const link = /https?:\/\/\S+verify\/confirm\?token=\S+/.exec(mail.text)![0];
  await page.goto(link);
  await page.getByRole('button').click();
  await page.waitForTimeout(500);
  await page.screenshot({ path: '/tmp/shots/2-verified.png' });
  await page.goto(`${URL_BASE}/app/login`);
  await page.getByLabel('Email').fill(id.email);
  await page.getByLabel('Password').fill(id.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  await page.getByText('Logged in').first().waitFor();
  await page.screenshot({ path: '/tmp/shots/3-account.png', fullPage: true });
  await page.getByRole('button', { name: 'Turn on two-factor login' }).click();
  await page.getByLabel('Your password').fill(id.password);
  await page.getByRole('button', { name: 'Continue' }).click();
  const secret = await page.locator('#totp-secret').textContent();
  await page.screenshot({ path: '/tmp/shots/4-setup.png', fullPage: true });
  await page.getByLabel('Code from your authenticator app').fill(totp(secret!));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.locator('#recovery-codes').waitFor();
  await page.screenshot({ path: '/tmp/shots/5-codes.png', fullPage: true });
  await page.setViewportSize({ width: 360, height: 800 });
  await page.screenshot({ path: '/tmp/shots/6-narrow.png', fullPage: true });
  console.log(errors);
});
