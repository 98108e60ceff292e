import { newIdentity } from '../support/factories';
import { expectProblem } from '../support/hostile';
import { startTestApp, TestApp } from '../support/test-app';

describe('Bounded argon2 work (ARGON2_MAX_CONCURRENCY=1, ARGON2_QUEUE_LIMIT=1)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ ARGON2_MAX_CONCURRENCY: '1', ARGON2_QUEUE_LIMIT: '1' });
  });
  afterAll(() => t.close());

  it('answers a burst of signups with 201/409 or 503 BUSY + Retry-After, never 500', async () => {
    const taken = newIdentity();
    await t.http.post('/auth/signup').send(taken).expect(201);
    const burst = [
      ...Array.from({ length: 10 }, () => newIdentity('burst')),
      // Two that clash with an existing account: 409 before any hashing.
      { ...newIdentity(), email: taken.email },
      { ...newIdentity(), username: taken.username },
    ];
    const responses = await Promise.all(
      burst.map((body) => t.http.post('/auth/signup').send(body)),
    );
    const statuses = responses.map((r) => r.status);

    expect(statuses.filter((s) => ![201, 409, 503].includes(s))).toEqual([]);
    expect(statuses.slice(10)).toEqual([409, 409]);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    for (const response of responses.filter((r) => r.status === 503)) {
      expectProblem(response, 503, 'BUSY');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }

    // Those refused as busy did not half-exist: each can sign up now, one at a time.
    for (const [index, response] of responses.entries()) {
      if (response.status !== 503) continue;
      await t.http.post('/auth/signup').send(burst[index]).expect(201);
    }
  });

  it('answers a burst of logins with 401 or 503, never 500, and serves again afterwards', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.http
          .post('/auth/login')
          .send({ email: newIdentity().email, password: 'Wrong-Password-Entirely-1' }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s !== 401 && s !== 503)).toEqual([]);
    expect(statuses).toContain(503);
    for (const response of responses.filter((r) => r.status === 503)) {
      expectProblem(response, 503, 'BUSY');
      expect(response.headers['retry-after']).toMatch(/^\d+$/);
    }
    await t.http.get('/').expect(200);
    const after = await t.http
      .post('/auth/login')
      .send({ email: newIdentity().email, password: 'Wrong-Password-Entirely-1' });
    expectProblem(after, 401, 'INVALID_CREDENTIALS');
  });
});
