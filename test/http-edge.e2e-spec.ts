import { DataSource } from 'typeorm';
import type { Response } from 'supertest';
import { newIdentity } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

const PROBLEM_KEYS = ['code', 'detail', 'instance', 'request_id', 'status', 'title', 'type'];

function expectProblem(response: Response, status: number, code?: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
  });
  if (code) expect(response.body.code).toBe(code);
  expect(response.body.request_id).toBe(response.headers['x-request-id']);
}

describe('The HTTP edge', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('request bodies', () => {
    it('refuses an unknown field with 400 naming it', async () => {
      const response = await t.http.post('/auth/signup').send({ ...newIdentity(), is_admin: true });
      expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(response.body.errors).toEqual([
        { field: 'is_admin', message: expect.stringContaining('is_admin') },
      ]);
    });

    it('refuses wrong types with 400 and one entry per field', async () => {
      const response = await t.http
        .post('/auth/signup')
        .send({ username: 12345, email: ['a@example.com'], password: { value: 'x' } });
      expectProblem(response, 400, 'VALIDATION_FAILED');
      const fields = new Set((response.body.errors as { field: string }[]).map((e) => e.field));
      expect([...fields].sort()).toEqual(['email', 'password', 'username']);
    });

    it('refuses a body over 100 kB with 413', async () => {
      const response = await t.http
        .post('/auth/signup')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ ...newIdentity(), padding: 'x'.repeat(101 * 1024) }));
      expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('accepts a JSON body just under the limit as far as validation', async () => {
      const response = await t.http
        .post('/auth/signup')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ ...newIdentity(), padding: 'x'.repeat(90 * 1024) }));
      // Parsed, then refused for the unknown field: the size itself was fine.
      expectProblem(response, 400, 'VALIDATION_FAILED');
    });

    it.each([
      ['text/plain', 'hello'],
      ['application/x-www-form-urlencoded', 'email=a%40example.com'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--',
      ],
      ['application/xml', '<email>a@example.com</email>'],
    ])('refuses a %s body with 415', async (type, body) => {
      const response = await t.http.post('/verify/send').set('Content-Type', type).send(body);
      expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('refuses invalid JSON with 400 and no parser text', async () => {
      const response = await t.http
        .post('/verify/send')
        .set('Content-Type', 'application/json')
        .send('{"email": "a@example.com",');
      expectProblem(response, 400);
      expect(response.body.detail).toMatch(/not valid JSON/);
      expect(response.text).not.toMatch(/Unexpected|position|SyntaxError|a@example\.com/);
    });
  });

  describe('routes', () => {
    it('answers an unknown route with 404 problem details', async () => {
      const response = await t.http.get('/no/such/route');
      expectProblem(response, 404, 'NOT_FOUND');
      expect(response.body.instance).toBe('/no/such/route');
    });

    it('answers a protected route without a token with 401 TOKEN_INVALID', async () => {
      const response = await t.http.get('/users/me');
      expectProblem(response, 401, 'TOKEN_INVALID');
    });

    it("keeps a caller's well-formed X-Request-Id and replaces a malformed one", async () => {
      const kept = await t.http.get('/no/such/route').set('X-Request-Id', 'trace-abc.123');
      expect(kept.headers['x-request-id']).toBe('trace-abc.123');
      expect(kept.body.request_id).toBe('trace-abc.123');
      const replaced = await t.http.get('/').set('X-Request-Id', 'bad id\twith spaces');
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('response headers', () => {
    it.each([
      ['a JSON answer', (http: TestApp['http']) => http.get('/')],
      ['a problem answer', (http: TestApp['http']) => http.post('/verify/send').send({})],
      ['an HTML page', (http: TestApp['http']) => http.get('/verify/confirm?token=abc')],
    ])('sets the security headers on %s', async (_label, call) => {
      const response = await call(t.http);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['x-powered-by']).toBeUndefined();
    });
  });

  describe('CORS', () => {
    it('gives a foreign origin no cross-origin access by default', async () => {
      const simple = await t.http.get('/').set('Origin', 'https://evil.example.net').expect(200);
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t.http
        .options('/auth/login')
        .set('Origin', 'https://evil.example.net')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });

    describe('with CORS_ORIGINS set', () => {
      let cors: TestApp;

      beforeAll(async () => {
        cors = await startTestApp({ CORS_ORIGINS: 'https://app.example.com' });
      });
      afterAll(() => cors.close());

      it('allows a listed origin, preflight included', async () => {
        const preflight = await cors.http
          .options('/auth/login')
          .set('Origin', 'https://app.example.com')
          .set('Access-Control-Request-Method', 'POST')
          .set('Access-Control-Request-Headers', 'content-type,authorization');
        expect(preflight.status).toBeLessThan(300);
        expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
        expect(preflight.headers['access-control-allow-methods']).toContain('POST');

        const simple = await cors.http.get('/').set('Origin', 'https://app.example.com');
        expect(simple.headers['access-control-allow-origin']).toBe('https://app.example.com');
      });

      it('still refuses an origin that is not listed', async () => {
        const response = await cors.http.get('/').set('Origin', 'https://evil.example.net');
        expect(response.headers['access-control-allow-origin']).toBeUndefined();
      });
    });
  });

  describe('server failures', () => {
    let broken: TestApp;

    beforeAll(async () => {
      broken = await startTestApp();
      // The database goes away under a running app: the honest way to get a 5xx.
      await broken.app.get(DataSource).destroy();
    });
    afterAll(() => broken.close());

    it('answers with only a generic message and a request id', async () => {
      const response = await broken.http.post('/auth/signup').send(newIdentity());
      expectProblem(response, 500, 'INTERNAL_ERROR');
      expect(Object.keys(response.body).sort()).toEqual(PROBLEM_KEYS);
      expect(response.body.detail).toBe('Something failed on our side');
      expect(response.text).not.toMatch(/typeorm|sqlite|mysql|connection|stack|\/src\//i);
    });
  });
});
