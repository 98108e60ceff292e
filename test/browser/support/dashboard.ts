import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { Identity } from '../../support/factories';
import { totp } from '../../support/totp';
import { BrowserHarness, latestMailTo, linkIn, takePageErrors } from './browser';

/** Signs up on /app/signup and confirms the address through the mailed link, in the browser. */
export async function signUpAndVerify(harness: BrowserHarness, page: Page, identity: Identity) {
  await page.goto('/app/signup');
  await page.getByLabel('Username').fill(identity.username);
  await page.getByLabel('Email').fill(identity.email);
  await page.getByLabel('Password').fill(identity.password);
  await page.getByRole('button', { name: 'Create the account' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  const link = linkIn(harness, await latestMailTo(harness, identity.email, /Confirm/));
  await page.goto(link);
  await page.getByRole('button', { name: 'Confirm my email' }).click();
  await page.getByRole('status').filter({ hasText: 'Your email address is verified' }).waitFor();
}

/** Fills the login form and sends it; the caller waits for what should follow. */
export async function submitLogin(page: Page, email: string, password: string) {
  if (!page.url().endsWith('/app/login')) await page.goto('/app/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function logIn(page: Page, email: string, password: string) {
  await submitLogin(page, email, password);
  await accountShown(page);
}

export const accountShown = (page: Page) =>
  page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Log in', level: 1 }).waitFor();
}

/** The code an authenticator app shows `steps` time steps from now (a code is accepted once). */
export const codeFor = (secret: string, steps = 0) => totp(secret, Date.now() + steps * 30_000);

/**
 * Turns two-factor login on from the account page the way a person does, reading the key from
 * the page as an authenticator app reads it from the QR code. Leaves the recovery codes shown.
 */
export async function turnOnTwoFactor(page: Page, password: string) {
  const section = page.getByRole('region', { name: 'Two-factor login' });
  await section.getByRole('button', { name: 'Turn on two-factor login' }).click();
  await section.getByLabel('Your password').fill(password);
  await section.getByRole('button', { name: 'Continue' }).click();
  const secret = (await section.locator('#totp-secret').textContent())?.trim() ?? '';
  const uri = await section.getByRole('link', { name: /authenticator app/ }).getAttribute('href');
  await section.getByLabel('Code from your authenticator app').fill(codeFor(secret));
  await section.getByRole('button', { name: 'Turn on' }).click();
  await section.locator('#recovery-codes').waitFor();
  const recoveryCodes = await section.locator('#recovery-codes code').allTextContents();
  return { secret, uri: uri ?? '', recoveryCodes };
}

/**
 * The statuses of the refused requests the page reported so far (Chromium logs each 4xx answer
 * as a console error), which no longer fail the test; any other page error fails it here.
 */
export function failedRequests(page: Page): number[] {
  return takePageErrors(page).map((error) => {
    const status = /^console error: Failed to load resource: .*status of (\d{3})/.exec(error);
    if (!status) throw new Error(`The page reported: ${error}`);
    return Number(status[1]);
  });
}

/**
 * What a small screen shows with `element` scrolled to the top: saved beside the journey's
 * screenshots as view-<step>.png (the README's narrow screenshots come from these).
 */
export async function screenshotAt(element: Locator, journey: string, step: string) {
  await element.evaluate((node) => node.scrollIntoView({ block: 'start' }));
  const path = join(__dirname, '..', 'screenshots', journey, `view-${step}.png`);
  await element.page().screenshot({ path });
}
