import type { Params } from 'nestjs-pino';
import pino, { DestinationStream, stdSerializers } from 'pino';
import type { Options as HttpLoggerOptions } from 'pino-http';
import pretty from 'pino-pretty';
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

/**
 * nestjs-pino on every route: its pino-http middleware gives each request a child logger bound
 * to `req` (id, method, path) and writes one line when the request is answered; Nest's Logger
 * and PinoLogger use that child for any line written while the request is served. The id is
 * Fastify's (http.ts), which @fastify/middie hands on as the raw request's `id`.
 */
export function loggerParams(config: AppConfig): Params {
  return { pinoHttp: [httpLoggerOptions(config), logDestination(config)] };
}

/**
 * The logger's options, and the level of the request line: `error` for a 5xx, else `info`.
 * For a 5xx that no error came with (the filter answered it), pino-http makes up an Error
 * "failed with status code" whose stack says nothing: the line goes without it.
 */
export function httpLoggerOptions(config: Pick<AppConfig, 'logLevel'>): HttpLoggerOptions {
  return {
    ...loggerOptions(config),
    customLogLevel: (_request, response, error) =>
      error || response.statusCode >= 500 ? 'error' : 'info',
    customErrorObject: (_request, response, error, line: Record<string, unknown>) =>
      error.message === `failed with status code ${response.statusCode}`
        ? { ...line, err: undefined }
        : line,
  };
}

/**
 * Readable lines (pino-pretty) for a developer at a terminal; JSON lines otherwise (tests, CI,
 * production, a pipe). Either way the lines are censored first: pino-pretty only reformats them.
 * process.stdout rather than pino's direct fd writer, so that a test can capture the lines.
 */
export function logDestination(
  config: Pick<AppConfig, 'development'>,
  stdout: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
): DestinationStream {
  if (!config.development || stdout.isTTY !== true) return stdout;
  return pretty({
    destination: stdout,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
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
      // (/verify/confirm?token=): log the path only. pino-http binds `req` to a child logger,
      // which the log formatter never sees: the path is censored here.
      req: (request: { id: string; method: string; url: string }) => ({
        id: request.id,
        method: request.method,
        path: redactString(request.url.split('?')[0]),
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      err: (error: object) =>
        redactSecrets({ ...(error instanceof Error ? stdSerializers.err(error) : error) }),
    },
  };
}
