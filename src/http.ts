import { parseFormBody } from './common/form-body';
import { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type {
  OperationObject,
  ReferenceObject,
  RequestBodyObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Logger } from 'nestjs-pino';
import fastifyCookie from '@fastify/cookie';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import { CLOSED_SCHEMAS } from './common/api-docs';
import { DomainError, Errors } from './common/errors';
import { UnreadableBody } from './common/validation';
import { AppConfig, appConfig } from './config/app.config';
import { validateConfiguration } from './config/namespaces';

export const BODY_LIMIT_BYTES = 100 * 1024;
/** Far deeper than any body we accept; class-transformer recurses per level and would overflow. */
export const MAX_JSON_DEPTH = 32;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** A caller's X-Request-Id is kept when it is well-formed; otherwise we make one. */
function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Whether JSON text nests objects/arrays deeper than `limit` (a linear scan, strings skipped). */
export function nestsDeeperThan(text: string, limit: number): boolean {
  const [QUOTE, BACKSLASH, OPENERS, CLOSERS] = ['"', '\\', '{[', '}]'];
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      // An escaped character never ends the string.
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (OPENERS.includes(c)) {
      depth += 1;
      if (depth > limit) return true;
    } else if (CLOSERS.includes(c)) {
      depth -= 1;
    }
  }
  return false;
}

function createAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
    genReqId: requestIdOf,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
}

function configureEdge(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  // A body we cannot read is kept as an UnreadableBody and answered when the route reads its
  // body, after the guards: a protected route answers 401 before it looks at the body.
  const unreadable = (error: DomainError) => new UnreadableBody(error);
  // JSON bodies only: anything else (bounded by the body limit) is 415.
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => {
    done(null, unreadable(Errors.unsupportedMediaType()));
  });
  // Fastify's own JSON parser (proto-poisoning checks kept), after a cheap nesting-depth check.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (nestsDeeperThan(body as string, MAX_JSON_DEPTH)) {
      const message = `body must not nest deeper than ${MAX_JSON_DEPTH} levels`;
      done(null, unreadable(Errors.validation([{ field: 'body', message }])));
      return;
    }
    // The parser's own sentence names positions and echoes input: ours says only what failed.
    void parseJson(request, body as string, (error: Error | null, value?: unknown) =>
      error ? done(null, unreadable(Errors.invalidJson())) : done(null, value),
    );
  });
  // Form bodies only where a route says so (RFC 7662 introspection); elsewhere 415.
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (request, body, done) => {
      if (!request.routeOptions.config?.formBody) {
        done(null, unreadable(Errors.unsupportedMediaType()));
        return;
      }
      const fields = parseFormBody(body as string);
      const message = 'form fields must not repeat';
      done(null, fields ?? unreadable(Errors.validation([{ field: 'body', message }])));
    },
  );
  const headers = securityHeaders();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers).header('X-Request-Id', String(request.id));
    done();
  });
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins, credentials: false, maxAge: 600 });
  }
}

/**
 * helmet's headers, computed once: they do not vary by request, and building helmet's
 * middleware per request (as the Fastify plugin does) cost more than the session check itself.
 */
function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  const collector = {
    setHeader: (name: string, value: string | number) => (headers[name] = String(value)),
    removeHeader: (name: string) => delete headers[name],
  };
  const middleware = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    hsts: { maxAge: 31536000, includeSubDomains: true },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
  middleware({} as IncomingMessage, collector as unknown as ServerResponse, () => undefined);
  return headers;
}

/**
 * The validation pipe refuses unknown fields in every body (whitelist + forbid), so every
 * request body schema says additionalProperties: false.
 */
function closeRequestBodies(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, OperationObject>)) {
      const body = operation.requestBody as RequestBodyObject | undefined;
      const given = body?.content?.['application/json']?.schema as SchemaObject | undefined;
      // One schema, or the alternatives of a body that has several (refresh: JSON or cookie mode).
      for (const alternative of given?.oneOf ?? [given]) {
        const ref = (alternative as ReferenceObject | undefined)?.$ref;
        const schema = ref ? (schemas[ref.split('/').pop() as string] as SchemaObject) : undefined;
        if (schema) schema.additionalProperties = false;
      }
    }
  }
  return document;
}

/** The OpenAPI document of the app's routes, as /docs-json serves it. */
export function buildOpenApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Auth service')
      .setDescription(
        'Email + password authentication: signup, email verification, login with one live session, ' +
          'JWT access tokens with rotating refresh tokens, password reset and change, audit trail. ' +
          'Errors are RFC 9457 problem details (application/problem+json) with a stable `code`.',
      )
      .setVersion(config.version)
      .setLicense('MIT', 'https://opensource.org/licenses/MIT')
      .addServer(config.appUrl)
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .addBasicAuth({ type: 'http', scheme: 'basic' }, 'introspection-client')
      .addTag('auth', 'Signup, login, refresh and logout')
      .addTag('verification', 'Email verification')
      .addTag('password', 'Password reset and change')
      .addTag('mfa', 'Two-factor login: TOTP and recovery codes')
      .addTag('oauth', 'Social login: sign in with Google, GitHub and other OpenID Connect providers')
      .addTag('sessions', "The caller's session")
      .addTag('users', 'The logged-in account')
      .addTag('audit', "The caller's account activity")
      .addTag('health', 'Status, liveness and readiness')
      .addTag('keys', 'Token verification for other services: the JWKS and token introspection')
      .addTag('admin', 'Account administration: every route needs a permission')
      .build(),
  );
  for (const name of CLOSED_SCHEMAS) {
    const schema = document.components?.schemas?.[name] as SchemaObject | undefined;
    if (schema) schema.additionalProperties = false;
  }
  return closeRequestBodies(document);
}

function configureDocs(app: INestApplication, config: AppConfig): void {
  if (!config.docsEnabled) return;
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
  });
}

const SHUTDOWN_DEADLINE_MS = 10_000;
/** After a signal, requests already sent on keep-alive connections have this long to be read. */
const IDLE_GRACE_MS = 1_000;

/**
 * Counts requests whose handlers are still running, including those whose client already hung
 * up: on shutdown the database must outlive them, or their work would be cut off half-way.
 */
class InFlightRequests {
  private count = 0;
  private waiters: Array<() => void> = [];
  private draining = false;

  /** Registered after every other hook, so "done" means the audit write has finished too. */
  constructor(fastify: FastifyInstance) {
    const finished = new WeakSet<object>();
    const finish = (request: object) => {
      if (finished.has(request)) return;
      finished.add(request);
      this.count -= 1;
      if (this.count === 0) this.waiters.splice(0).forEach((wake) => wake());
    };
    fastify.addHook('onRequest', (_request, _reply, done) => {
      this.count += 1;
      done();
    });
    fastify.addHook('onSend', (request, reply, payload, done) => {
      // While draining, no connection stays open for another request.
      if (this.draining) void reply.header('Connection', 'close');
      // A client that hung up gets no 'finish' (so no onResponse): the work is done now.
      if (reply.raw.destroyed) finish(request);
      done(null, payload);
    });
    fastify.addHook('onResponse', (request, _reply, done) => {
      finish(request);
      done();
    });
  }

  /** From now on every response closes its connection. */
  closeConnectionsAfterResponse(): void {
    this.draining = true;
  }

  /** Resolves once every request that has started has finished. */
  finished(): Promise<void> {
    return this.count === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.waiters.push(resolve));
  }
}

const inFlight = new WeakMap<FastifyInstance, InFlightRequests>();

const nextLoopTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Accepts the connections already queued on the listening socket: closing it makes the kernel
 * reset them. libuv accepts one per turn of the event loop, so this turns it until a turn brings
 * none (for at most IDLE_GRACE_MS, should connections keep coming).
 */
async function acceptQueuedConnections(server: Server): Promise<void> {
  let accepted = false;
  const onConnection = () => (accepted = true);
  server.on('connection', onConnection);
  const until = Date.now() + IDLE_GRACE_MS;
  // Out of the poll phase that delivered the signal; each later turn polls the socket again.
  await nextLoopTurn();
  do {
    accepted = false;
    await nextLoopTurn();
  } while (accepted && Date.now() < until);
  server.off('connection', onConnection);
}

/**
 * Stops accepting, then resolves once every accepted connection has closed: a request already
 * sent on one is read and answered, and connections left idle are closed after IDLE_GRACE_MS.
 */
async function closeConnections(server: Server, logger: Logger): Promise<void> {
  await acceptQueuedConnections(server);
  const closed = new Promise<void>((resolve) => {
    // net.Server's close only stops listening. http.Server's also destroys every connection it
    // counts as idle, and an accepted connection whose request is not read yet counts as idle:
    // its client would get a reset instead of an answer.
    NetServer.prototype.close.call(server, () => resolve());
  });
  logger.log('Stopped accepting connections');
  const grace = new Promise((resolve) => setTimeout(resolve, IDLE_GRACE_MS).unref());
  await Promise.race([closed, grace]);
  // Again and again: a response begun before the signal leaves its connection idle after it.
  const closeIdle = setInterval(() => server.closeIdleConnections(), 100);
  await closed;
  clearInterval(closeIdle);
}

/**
 * On SIGTERM/SIGINT: stop accepting, answer every request on the connections already accepted
 * (with `Connection: close`), let their handlers finish, close the database and Redis (module
 * shutdown hooks), exit 0; exit 1 if that takes longer than ten seconds.
 */
export function closeOnSignals(app: NestFastifyApplication): void {
  const server = app.getHttpServer() as Server;
  const requests = inFlight.get(app.getHttpAdapter().getInstance());
  const shutdown = (signal: NodeJS.Signals) => {
    const logger = app.get(Logger);
    logger.log(`${signal} received: finishing in-flight requests`);
    const deadline = setTimeout(() => {
      logger.error('Shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    requests?.closeConnectionsAfterResponse();
    closeConnections(server, logger)
      // Handlers whose client hung up may still be running.
      .then(() => requests?.finished())
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'Shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

/** Builds the HTTP app exactly as production runs it; main.ts and the e2e tests both use this. */
export async function createHttpApp(rootModule: Type<unknown>): Promise<NestFastifyApplication> {
  validateConfiguration();
  const config = appConfig();
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, createAdapter(config), {
    bodyParser: false,
    bufferLogs: true,
    // Start-up failures reach main.ts, which prints them once.
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  configureEdge(app, config);
  // request.cookies and reply.setCookie: the social-login flow's browser binding and cookie
  // mode's refresh token (src/auth/token-delivery.ts).
  await app.register(fastifyCookie);
  configureDocs(app, config);
  try {
    await app.init();
  } catch (error) {
    // A start that fails half-way (e.g. a signing key that does not open) lets go of what it
    // opened, such as database connections, before the error is reported.
    await app.close().catch(() => undefined);
    throw error;
  }
  const fastify = app.getHttpAdapter().getInstance();
  inFlight.set(fastify, new InFlightRequests(fastify));
  await fastify.ready();
  return app;
}
