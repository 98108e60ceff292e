import { bearer, loggedInUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

describe('Wire format of refusals', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('POST /auth/logout', () => {
    it.each([
      ['malformed JSON', 'application/json', '{"x": '],
      ['a text body', 'text/plain', 'hello'],
      ['an unknown field', 'application/json', '{"x": 1}'],
    ])('without a token answers 401 before it reads %s', async (_, type, body) => {
      const response = await t.http.post('/auth/logout').set('Content-Type', type).send(body);
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
    });

    it('refuses an unknown body field as every other route does, and the session stays', async () => {
      const user = await loggedInUser(t);
      const response = await t.http
        .post('/auth/logout')
        .set(bearer(user.accessToken))
        .send({ everywhere: true })
        .expect(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        detail: 'The request body is not valid',
        errors: [{ field: 'everywhere', message: 'property everywhere should not exist' }],
      });
      await t.http.get('/users/me').set(bearer(user.accessToken)).expect(200);
      await t.http.post('/auth/logout').set(bearer(user.accessToken)).send({}).expect(200);
    });

    it('with a token and malformed JSON answers INVALID_JSON', async () => {
      const user = await loggedInUser(t);
      const response = await t.http
        .post('/auth/logout')
        .set(bearer(user.accessToken))
        .set('Content-Type', 'application/json')
        .send('{"x": ')
        .expect(400);
      expect(response.body).toMatchObject({ code: 'INVALID_JSON' });
    });
  });

  it('GET /audit/me names the query in its validation errors', async () => {
    const user = await loggedInUser(t);
    const response = await t.http
      .get('/audit/me?limit=0')
      .set(bearer(user.accessToken))
      .expect(400);
    expect(response.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: 'The request query is not valid',
      errors: [{ field: 'limit', message: 'limit must be an integer from 1 to 100' }],
    });
  });

  it.each(['{"email": "a@example.com",', ''])(
    'a malformed JSON body (%j) answers INVALID_JSON in our own words',
    async (body) => {
      const response = await t.http
        .post('/verify/send')
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({
        type: '/problems/invalid-json',
        status: 400,
        code: 'INVALID_JSON',
        detail: 'The request body is not valid JSON',
      });
      expect(response.text).not.toMatch(/Unexpected|position|SyntaxError|a@example\.com/);
    },
  );
});
