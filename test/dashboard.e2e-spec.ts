import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_CSP, DASHBOARD_DIR } from '../src/dashboard/dashboard.controller';
import { startTestApp, TestApp } from './support/test-app';

describe('The account dashboard under /app/', () => {
  let t: TestApp;

  beforeAll(async () => {
    // The bundle `npm run build` makes; built here once when this checkout has none yet.
    if (!existsSync(join(DASHBOARD_DIR, 'index.html'))) {
      execFileSync('node', [join(__dirname, '..', 'scripts', 'build-web.js')]);
    }
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers the same page for /app/ and every route under it, with a strict CSP', async () => {
    const home = await t.http.get('/app/').expect(200);
    expect(home.headers['content-type']).toMatch(/^text\/html/);
    expect(home.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(home.text).toMatch(/<script type="module" src="\/app\/assets\/app-[A-Z0-9]+\.js">/);
    expect(home.text).not.toMatch(/<script>|<style|style=/);
    for (const route of ['/app', '/app/login', '/app/account', '/app/some/deep/link']) {
      const page = await t.http.get(route).expect(200);
      expect(page.text).toBe(home.text);
      expect(page.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    }
  });

  it('serves its script and stylesheet under hashed names, cached as immutable', async () => {
    const home = await t.http.get('/app/').expect(200);
    const script = /\/app\/assets\/app-[A-Z0-9]+\.js/.exec(home.text)?.[0] ?? 'no script';
    const style = /\/app\/assets\/style-[A-Z0-9]+\.css/.exec(home.text)?.[0] ?? 'no stylesheet';
    const js = await t.http.get(script).expect(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const css = await t.http.get(style).expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('answers 404 problem details for an asset that is not in the bundle', async () => {
    for (const path of ['/app/assets/nope.js', '/app/assets/..%2F..%2Fpackage.json']) {
      const response = await t.http.get(path).expect(404);
      expect(response.body.code).toBe('NOT_FOUND');
    }
  });

  it('is not part of the API document', async () => {
    const document = await t.http.get('/docs-json').expect(200);
    expect(Object.keys(document.body.paths).filter((path) => path.startsWith('/app'))).toEqual([]);
  });
});
