import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from './support/test-app';

const PACKAGE = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};

/** Every endpoint of DESIGN.md, as OpenAPI spells it. */
const ENDPOINTS: Array<[string, string]> = [
  ['post', '/auth/signup'],
  ['post', '/auth/login'],
  ['post', '/auth/refresh'],
  ['post', '/auth/logout'],
  ['post', '/verify/send'],
  ['get', '/verify/confirm'],
  ['post', '/verify/confirm'],
  ['post', '/password/forgot'],
  ['get', '/password/reset'],
  ['post', '/password/reset'],
  ['post', '/password/change'],
  ['get', '/session/active'],
  ['get', '/users/me'],
  ['get', '/audit/me'],
  ['get', '/'],
  ['get', '/health/live'],
  ['get', '/health/ready'],
];

describe('Status, health and docs', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('GET / names the service and its version', async () => {
    const response = await t.http.get('/').expect(200);
    expect(response.body).toEqual({
      status: 'ok',
      name: PACKAGE.name,
      version: PACKAGE.version,
    });
  });

  it('GET /health/live answers 200', async () => {
    const response = await t.http.get('/health/live').expect(200);
    expect(response.body.status).toBe('ok');
  });

  it('GET /health/ready reports the database up', async () => {
    const response = await t.http.get('/health/ready').expect(200);
    expect(response.body).toMatchObject({ status: 'ok', checks: { database: 'up' } });
  });

  it('GET /docs serves the Swagger UI', async () => {
    const response = await t.http.get('/docs').redirects(1).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toMatch(/swagger-ui/i);
  });

  describe('GET /docs-json', () => {
    let document: {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };

    beforeAll(async () => {
      const response = await t.http.get('/docs-json').expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      document = response.body;
    });

    it('is an OpenAPI 3 document', () => {
      expect(document.openapi).toMatch(/^3\./);
    });

    it.each(ENDPOINTS)('documents %s %s with its answers', (method, path) => {
      const operation = document.paths[path]?.[method];
      expect(operation).toBeDefined();
      expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
    });

    it('documents the request bodies and the problem details shape', () => {
      expect(Object.keys(document.components.schemas)).toEqual(
        expect.arrayContaining(['SignupRequest', 'LoginRequest', 'ProblemResponse']),
      );
    });
  });

  describe('with DOCS_ENABLED=false', () => {
    let hidden: TestApp;

    beforeAll(async () => {
      hidden = await startTestApp({ DOCS_ENABLED: 'false' });
    });
    afterAll(() => hidden.close());

    it('serves neither /docs nor /docs-json', async () => {
      await hidden.http.get('/docs').expect(404);
      await hidden.http.get('/docs-json').expect(404);
      await hidden.http.get('/').expect(200);
    });
  });

  describe('when the database is gone', () => {
    let down: TestApp;

    beforeAll(async () => {
      down = await startTestApp();
      await down.app.get(DataSource).destroy();
    });
    afterAll(() => down.close());

    it('is still live but not ready', async () => {
      await down.http.get('/health/live').expect(200);
      const response = await down.http.get('/health/ready').expect(503);
      expect(response.body).toMatchObject({
        status: 'unavailable',
        checks: { database: 'down' },
      });
    });
  });
});
