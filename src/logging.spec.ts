import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { pinoHttp } from 'pino-http';
import type { AppConfig } from './config/app.config';
import {
  httpLoggerOptions,
  logDestination,
  loggerOptions,
  REDACTED,
  redactSecrets,
  redactString,
} from './logging';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwic2lkIjoiYWJjIn0.' +
  'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const REFRESH =
  '0b6f2f1e-8a4b-4c36-9a53-1d1e0f7f2b8e.q2C4x9V0mZyWbQ7N1s8H3kLp5tRj6eUa0dXfGhIoPwE.' +
  'Zk3b7Yq1Wn5Tr9Vc2Xs6Lp8Hj4Gf0Ed2Ca1Bz3Ny5Mx';

describe('redactSecrets', () => {
  it('censors secret-named keys at any depth, in arrays too', () => {
    expect(
      redactSecrets({
        user: { email: 'ada@example.com', credentials: { password: 'p1', new_password: 'p2' } },
        sessions: [{ refresh_token: 'r', refreshTokenHash: 'h', id: 's1' }],
        headers: { Authorization: 'Bearer x', cookie: 'c', 'x-api-key': 'k', accept: '*/*' },
        secretKey: 's',
        error: { parameters: ['$argon2id$...'], query: 'INSERT ...' },
      }),
    ).toEqual({
      user: {
        email: 'ada@example.com',
        credentials: { password: REDACTED, new_password: REDACTED },
      },
      sessions: [{ refresh_token: REDACTED, refreshTokenHash: REDACTED, id: 's1' }],
      headers: { Authorization: REDACTED, cookie: REDACTED, 'x-api-key': REDACTED, accept: '*/*' },
      secretKey: REDACTED,
      error: { parameters: REDACTED, query: 'INSERT ...' },
    });
  });

  it('replaces bearer credentials, JWTs and refresh tokens inside strings', () => {
    expect(redactString(`Authorization: Bearer ${JWT}`)).toBe(`Authorization: ${REDACTED}`);
    expect(redactString(`token ${JWT} seen`)).toBe(`token ${REDACTED} seen`);
    expect(redactString(`refresh ${REFRESH}`)).toBe(`refresh ${REDACTED}`);
    expect(redactString('POST /auth/login 200 in 12 ms (api.example.com)')).toBe(
      'POST /auth/login 200 in 12 ms (api.example.com)',
    );
  });

  it("serialises an error and censors its fields (a failed query's parameters)", () => {
    const error = Object.assign(new Error('insert failed'), {
      parameters: ['id', '$argon2id$v=19$secret'],
      driverError: Object.assign(new Error('refused'), { sql: "INSERT ... '$argon2id$x'" }),
    });
    const text = JSON.stringify(redactSecrets({ failure: error }));
    expect(text).toContain('insert failed');
    expect(text).not.toContain('$argon2id');
  });
});

/** A stream that keeps what is written to it, as text and as parsed JSON lines. */
function collector(): {
  stream: Writable & { isTTY?: boolean };
  lines: () => Array<Record<string, unknown>>;
  output: () => string;
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const output = () => chunks.join('');
  const lines = () =>
    output()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines, output };
}

describe('loggerOptions', () => {
  function capture(level: AppConfig['logLevel'] = 'info') {
    const { stream, lines, output } = collector();
    return { logger: pino(loggerOptions({ logLevel: level }), stream), lines, output };
  }

  it('writes JSON lines without the secrets handed to it', () => {
    const { logger, output } = capture();
    logger.info({ body: { email: 'a@b.c', password: 'hunter22!' } }, `login with Bearer ${JWT}`);
    logger.error(
      { err: Object.assign(new Error('boom'), { parameters: ['tok-123456789'] }) },
      'failed',
    );
    const lines = output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as object);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      body: { email: 'a@b.c', password: REDACTED },
      msg: `login with ${REDACTED}`,
    });
    expect(lines[1]).toMatchObject({
      err: { type: 'Error', message: 'boom', parameters: REDACTED },
    });
    expect(output()).not.toMatch(/hunter22|tok-123456789|eyJhbGci/);
  });

  describe('the request line (pino-http with httpLoggerOptions)', () => {
    /** A plain HTTP server whose requests go through pino-http as in the app, ids given. */
    async function served(level: AppConfig['logLevel']) {
      const { stream, lines } = collector();
      const logRequest = pinoHttp(httpLoggerOptions({ logLevel: level }), stream);
      const server = createServer((request, response) => {
        // As @fastify/middie hands on Fastify's id.
        Object.assign(request, { id: 'req-1' });
        logRequest(request, response);
        response.statusCode = request.url?.startsWith('/broken') ? 503 : 200;
        response.end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.text());
      const close = () => new Promise((resolve) => server.close(resolve));
      return { get, close, lines };
    }

    it('writes one line per answer: its id, method, path without the query, status and time', async () => {
      const { get, close, lines } = await served('info');
      await get('/fine?token=secret-one-time-token');
      await get(`/broken/${JWT}`);
      await close();
      const [fine, broken] = lines();
      expect(lines()).toHaveLength(2);
      expect(fine).toMatchObject({
        level: 30,
        msg: 'request completed',
        req: { id: 'req-1', method: 'GET', path: '/fine' },
        res: { statusCode: 200 },
      });
      expect(Object.keys(fine.req as object).sort()).toEqual(['id', 'method', 'path']);
      expect(typeof fine.responseTime).toBe('number');
      expect(broken).toMatchObject({
        level: 50,
        msg: 'request errored',
        req: { path: `/broken/${REDACTED}` },
        res: { statusCode: 503 },
      });
      // No error came with that 503: no made-up "failed with status code" stack per request.
      expect(broken.err).toBeUndefined();
      expect(JSON.stringify(lines())).not.toMatch(/secret-one-time-token|eyJhbGci/);
    });

    it('writes nothing below its level, and 5xx still at warn', async () => {
      const { get, close, lines } = await served('warn');
      await get('/fine');
      await get('/broken');
      await close();
      expect(lines().map((line) => [line.level, line.msg])).toEqual([[50, 'request errored']]);
    });
  });
});

describe('logDestination', () => {
  function terminal(isTTY: boolean) {
    const { stream, output } = collector();
    stream.isTTY = isTTY;
    return { stream, output };
  }

  it('writes censored, readable lines to a terminal in development', async () => {
    const { stream, output } = terminal(true);
    const logger = pino(
      loggerOptions({ logLevel: 'info' }),
      logDestination({ development: true }, stream),
    );
    logger.info({ body: { password: 'hunter22!' } }, `login with Bearer ${JWT}`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(output()).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: login with \[redacted\]/);
    expect(output()).toContain(`"password":"${REDACTED}"`);
    expect(output()).not.toMatch(/hunter22|eyJhbGci/);
  });

  it.each([
    ['outside development (production, tests)', false, true],
    ['when not a terminal', true, false],
  ])('writes JSON lines %s', (_label, development, isTTY) => {
    const { stream } = terminal(isTTY);
    expect(logDestination({ development }, stream)).toBe(stream);
  });
});
