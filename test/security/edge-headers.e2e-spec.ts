import type { Response } from 'supertest';
import { expectNoLeak, expectProblem } from '../support/hostile';
import { startTestApp, TestApp } from '../support/test-app';

const EVIL = 'https://evil.example';

function directivesOf(response: Response): Map<string, string[]> {
  const policy = String(response.headers['content-security-policy'] ?? '');
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name, values]),
  );
}

function expectSecurityHeaders(response: Response): void {
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['strict-transport-security']).toMatch(/max-age=(\d{7,})/);
  expect(response.headers['cache-control']).toBe('no-store');
  expect(directivesOf(response).get('frame-ancestors')).toEqual(["'none'"]);
  expect(response.headers['x-powered-by']).toBeUndefined();
  expect(response.headers['server']).toBeUndefined();
}

describe('The edge against a hostile browser', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('CORS with a foreign origin (no CORS_ORIGINS)', () => {
    it.each([
      ['GET /', () => t.http.get('/')],
      [
        'POST /auth/login',
        () => t.http.post('/auth/login').send({ email: 'a@example.com', password: 'x' }),
      ],
      ['GET /users/me', () => t.http.get('/users/me')],
    ])('%s carries no Access-Control-Allow-* header', async (_label, call) => {
      for (const origin of [EVIL, 'null']) {
        const response = await call().set('Origin', origin);
        expect(response.headers['access-control-allow-origin']).toBeUndefined();
        expect(response.headers['access-control-allow-credentials']).toBeUndefined();
      }
    });

    it('does not allow a preflight from it', async () => {
      for (const path of ['/auth/login', '/auth/refresh', '/users/me', '/password/change']) {
        const response = await t.http
          .options(path)
          .set('Origin', EVIL)
          .set('Access-Control-Request-Method', 'POST')
          .set('Access-Control-Request-Headers', 'content-type,authorization');
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.headers['access-control-allow-origin']).toBeUndefined();
        expect(response.headers['access-control-allow-methods']).toBeUndefined();
        expect(response.headers['access-control-allow-headers']).toBeUndefined();
        expectNoLeak(response);
      }
    });
  });

  describe('CORS with CORS_ORIGINS listing another origin', () => {
    let listed: TestApp;

    beforeAll(async () => {
      listed = await startTestApp({ CORS_ORIGINS: 'https://app.example.com' });
    });
    afterAll(() => listed.close());

    it('neither reflects the foreign origin nor answers with a wildcard', async () => {
      for (const origin of [
        EVIL,
        'https://app.example.com.evil.example',
        'https://evil-app.example.com',
      ]) {
        const simple = await listed.http.get('/').set('Origin', origin);
        expect(simple.headers['access-control-allow-origin']).toBeUndefined();
        const preflight = await listed.http
          .options('/auth/login')
          .set('Origin', origin)
          .set('Access-Control-Request-Method', 'POST');
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      }
    });
  });

  describe('security headers', () => {
    it.each([
      ['a JSON answer', () => t.http.get('/')],
      ['a 202 JSON answer', () => t.http.post('/verify/send').send({ email: 'a@example.com' })],
      ['a problem answer', () => t.http.post('/auth/login').send({})],
      ['a 401', () => t.http.get('/users/me')],
      ['a 404', () => t.http.get('/no/such/thing')],
      ['a 415', () => t.http.post('/auth/login').set('Content-Type', 'text/plain').send('x')],
    ])('are set on %s', async (_label, call) => {
      const response = await call();
      expectSecurityHeaders(response);
      if (response.status >= 400) expectProblem(response, response.status);
    });

    it.each(['/verify/confirm?token=x', '/password/reset?token=x'])(
      'the page %s has them, a strict CSP and no inline script',
      async (path) => {
        const response = await t.http.get(path);
        expect(response.status).toBe(200);
        expect(response.headers['content-type']).toMatch(/^text\/html/);
        expectSecurityHeaders(response);
        const csp = directivesOf(response);
        const scriptSrc = csp.get('script-src') ?? csp.get('default-src') ?? [];
        expect(scriptSrc.length).toBeGreaterThan(0);
        expect(scriptSrc).not.toContain("'unsafe-inline'");
        expect(scriptSrc).not.toContain("'unsafe-eval'");
        expect(scriptSrc).not.toContain('*');
        expect(csp.get('default-src')).toEqual(["'none'"]);
        expect(csp.get('form-action')).toEqual(["'self'"]);
        expect(csp.get('base-uri')).toEqual(["'none'"]);
        // Every script is an external same-origin file with nothing inline.
        const scripts = [...response.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
        expect(scripts.length).toBeGreaterThan(0);
        for (const [, attributes, body] of scripts) {
          expect(attributes).toMatch(/\ssrc="\/assets\/[\w.-]+\.js"/);
          expect(body.trim()).toBe('');
        }
        expect(response.text).not.toMatch(/\son[a-z]+\s*=/i);
        expect(response.text).not.toMatch(/javascript:/i);
      },
    );

    it('serves the pages script as JavaScript with nosniff', async () => {
      const response = await t.http.get('/assets/pages.js');
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/javascript/);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    });
  });
});
