import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { databaseUnavailable } from './database-errors';
import { AuditFacts, DomainError, Errors } from './errors';
import { codeForStatus, problem, PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem-details';
import { uniqueViolation } from './transactions';

/** Our words for plain HTTP refusals; a 404 never echoes the query string (it may hold a token). */
const PLAIN_DETAILS: Partial<Record<number, (request: FastifyRequest) => string>> = {
  404: (request) => `No route for ${request.method} ${request.url.split('?')[0]}`,
  413: () => Errors.payloadTooLarge().detail,
  415: () => Errors.unsupportedMediaType().detail,
};

/** The problem a request was answered with, kept for the hooks that run after (its audit row). */
export interface AnsweredProblem {
  status: number;
  code: string;
  facts?: AuditFacts;
}

const ANSWERED = Symbol('answeredProblem');

/** What a client is told to wait before trying again while the database is away. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
/** A database failure this long after the previous one starts a new outage (logged again). */
const OUTAGE_QUIET_MS = 30_000;

export function answeredProblemOf(request: object): AnsweredProblem | undefined {
  return (request as { [ANSWERED]?: AnsweredProblem })[ANSWERED];
}

/** Turns every failure into RFC 9457 problem details; nothing internal reaches the client. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private lastUnavailableAt = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const failure = databaseUnavailable(exception) ? this.unavailable(exception) : exception;
    const { body, retryAfterSeconds } = this.describe(failure, request);
    const answered: AnsweredProblem = { status: body.status, code: body.code };
    if (failure instanceof DomainError) answered.facts = failure.facts;
    (request as { [ANSWERED]?: AnsweredProblem })[ANSWERED] = answered;
    if (retryAfterSeconds !== undefined)
      void reply.header('Retry-After', String(retryAfterSeconds));
    if (failure instanceof DomainError && failure.extra.authenticate)
      void reply.header('WWW-Authenticate', failure.extra.authenticate);
    void reply.status(body.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(body);
  }

  private describe(
    exception: unknown,
    request: FastifyRequest,
  ): { body: ProblemDetails; retryAfterSeconds?: number } {
    const context = { instance: request.url.split('?')[0], requestId: String(request.id) };
    if (exception instanceof DomainError) {
      return {
        body: problem(exception.status, exception.code, exception.detail, {
          ...context,
          errors: exception.extra.errors,
        }),
        retryAfterSeconds: exception.extra.retryAfterSeconds,
      };
    }
    // Nest's HTTP exceptions, and Fastify's own refusals (body parsing, size, media type).
    const status =
      exception instanceof HttpException
        ? exception.getStatus()
        : (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const detail =
        PLAIN_DETAILS[status]?.(request) ??
        (exception instanceof HttpException
          ? this.clientMessage(exception)
          : 'The request was refused');
      return { body: problem(status, codeForStatus(status), detail, context) };
    }
    if (uniqueViolation(exception)) return this.describe(Errors.conflict(), request);
    // The line carries the request (its id) from nestjs-pino's request context.
    this.logger.error({ err: exception }, 'Unhandled error');
    return this.describe(Errors.internal(), request);
  }

  /**
   * The first failure of an outage is logged with its stack; the rest only by the request line
   * (pino-http's, with the request id and the 503), not one stack per request.
   */
  private unavailable(error: unknown): DomainError {
    const now = Date.now();
    if (now - this.lastUnavailableAt > OUTAGE_QUIET_MS) {
      this.logger.error({ err: error }, 'Database unavailable; answering 503 until it is back');
    }
    this.lastUnavailableAt = now;
    return Errors.serviceUnavailable(UNAVAILABLE_RETRY_AFTER_SECONDS);
  }

  private clientMessage(exception: HttpException): string {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    return exception.message;
  }
}
