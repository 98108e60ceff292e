import { verifiedUser } from '../support/factories';
import { useBrowser } from './support/browser';

/** What a page's fetch answered. */
interface Fetched {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Cookie mode as Chromium does it: the page's own fetch sends Origin, the browser keeps the
 * HttpOnly cookie away from script and sends it back to /auth only.
 */
describe('cookie mode in Chromium', () => {
  const browser = useBrowser();

  beforeEach(async () => {
    // Any page of the service: its script runs at APP_URL's origin under the pages' CSP.
    await browser.page.goto('/verify/confirm');
  });

  /** A same-origin POST from the page, as the dashboard makes it. */
  const post = (path: string, body?: object, accessToken?: string) =>
    browser.page.evaluate(
      async ({ path, body, accessToken }): Promise<Fetched> => {
        const headers: Record<string, string> = { 'X-Token-Delivery': 'cookie' };
        if (body) headers['Content-Type'] = 'application/json';
        if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
        const response = await fetch(path, {
          method: 'POST',
          headers,
          body: body ? JSON.stringify(body) : undefined,
        });
        return {
          status: response.status,
          body: (await response.json()) as Record<string, unknown>,
        };
      },
      { path, body, accessToken },
    );

  it('logs in, keeps the refresh token from script, refreshes with the cookie and logs out', async () => {
    const { harness, context, page } = browser;
    const { identity } = await verifiedUser(harness);
    const login = await post('/auth/login', { email: identity.email, password: identity.password });
    expect(login.status).toBe(200);
    expect(login.body.refresh_token).toBeUndefined();

    expect(await page.evaluate(() => document.cookie)).toBe('');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: 'refresh_token',
      path: '/auth',
      httpOnly: true,
      sameSite: 'Strict',
      secure: false,
    });

    const refreshed = await post('/auth/refresh');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 1800,
    });
    const [rotated] = await context.cookies();
    expect(rotated.value).not.toBe(cookie.value);

    const logout = await post('/auth/logout', undefined, refreshed.body.access_token as string);
    expect(logout.status).toBe(200);
    expect(await context.cookies()).toEqual([]);

    // Only the HTTP client can present the old value now: the session is over.
    const replay = await harness.http
      .post('/auth/refresh')
      .set({ 'X-Token-Delivery': 'cookie', Origin: harness.origin })
      .set('Cookie', `refresh_token=${rotated.value}`);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('SESSION_ENDED');
  });
});
