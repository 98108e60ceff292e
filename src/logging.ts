import type { FastifyInstance } from 'fastify';
import type { Params } from 'nestjs-pino';
import pino, { stdSerializers } from 'pino';
import type { AppConfig } from './config/app.config';

export const REDACTED = '[redacted]';

/**
 * Keys whose values are never logged, at any depth: passwords, tokens, secrets, hashes,
 * credentials in headers, and a failed query's bound parameters or the driver's SQL with the
 * values filled in (either can hold any of those).
 */
const SECRET_KEY =
  /pass(word)?|token|secret|authori[sz]ation|cookie|api[-_]?key|hash|^parameters$|^sql$/i;

/** Bearer credentials, and JWTs or refresh tokens (three dot-separated base64url parts). */
const SECRET_VALUES = [/\bBearer\s+[^\s"',]+/gi, /[\w-]{8,}\.[\w-]{16,}\.[\w-]{16,}/g];

export function redactString(value: string): string {
  return SECRET_VALUES.reduce((text, pattern) => text.replace(pattern, REDACTED), value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

function isSerializedError(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string' &&
    typeof (value as { stack?: unknown }).stack === 'string'
  );
}

/** A copy with secret-named keys censored and secret-shaped strings replaced, at any depth. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value instanceof Error) return redactSecrets({ ...stdSerializers.err(value) }, depth + 1);
  // pino's serialized errors (a driver error inside a query error) are not plain objects.
  if (!isPlainObject(value) && !isSerializedError(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactEntry(key, item, depth + 1);
  return copy;
}

function redactEntry(key: string, item: unknown, depth: number): unknown {
  return SECRET_KEY.test(key) && item != null ? REDACTED : redactSecrets(item, depth);
}

/**
 * What each log call's object goes through. `err` is left to its serializer (below), which
 * keeps pino's error shape and then censors it the same way.
 */
export function redactLogObject(object: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(object)) {
    copy[key] = key === 'err' && item instanceof Error ? item : redactEntry(key, item, 1);
  }
  return copy;
}

/** nestjs-pino's parameters around the app's one pino logger, which the caller can reach. */
export interface LoggerParams extends Params {
  pinoHttp: { logger: pino.Logger };
}

/**
 * Nest's Logger writes through one pino logger, and so does `logRequests`. No request
 * middleware: pino-http (a child logger per request, run through middie) and nestjs-pino's
 * AsyncLocalStorage (a hook on every promise on Node 20) cost a fifth of a session check's
 * CPU. The log calls made while a request is served name its id themselves (`requestId`).
 */
export function loggerParams(config: AppConfig): LoggerParams {
  // process.stdout rather than pino's default direct fd writer: same JSON lines, and a test
  // can capture them.
  return { pinoHttp: { logger: pino(loggerOptions(config), process.stdout) }, forRoutes: [] };
}

/** The level, the censoring and the serializers of every log line. */
export function loggerOptions(config: Pick<AppConfig, 'logLevel'>): pino.LoggerOptions {
  return {
    level: config.logLevel,
    // No pino `redact` paths: the log formatter censors every object at any depth, and the
    // req/res serializers emit no headers or bodies.
    formatters: {
      log: redactLogObject,
    },
    hooks: {
      // Messages are strings the formatter never sees: a token pasted into one is censored too.
      logMethod(args, method) {
        const cleaned = args.map((arg) => (typeof arg === 'string' ? redactString(arg) : arg));
        return method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
    serializers: {
      // Neither headers nor bodies are logged. The query string can hold a one-time token
      // (/verify/confirm?token=): log the path only.
      req: (request: { id: string; method: string; url: string }) => ({
        id: request.id,
        method: request.method,
        path: request.url.split('?')[0],
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      err: (error: object) =>
        redactSecrets({ ...(error instanceof Error ? stdSerializers.err(error) : error) }),
    },
  };
}

/**
 * One line per answered request, as pino-http wrote it (`req`, `res`, `responseTime` in ms):
 * `info`, or `error` for a 5xx. A request whose client hung up first gets `request aborted`.
 * Nothing is built unless the level is on.
 */
export function logRequests(fastify: FastifyInstance, logger: pino.Logger): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const failed = reply.statusCode >= 500;
    const level = failed ? 'error' : 'info';
    if (logger.isLevelEnabled(level)) {
      logger[level](
        { req: request, res: reply, responseTime: Math.round(reply.elapsedTime) },
        failed ? 'request errored' : 'request completed',
      );
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    if (logger.isLevelEnabled('info')) logger.info({ req: request }, 'request aborted');
    done();
  });
}
