import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
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

export function answeredProblemOf(request: object): AnsweredProblem | undefined {
  return (request as { [ANSWERED]?: AnsweredProblem })[ANSWERED];
}

/** Turns every failure into RFC 9457 problem details; nothing internal reaches the client. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { body, retryAfterSeconds } = this.describe(exception, request);
    const answered: AnsweredProblem = { status: body.status, code: body.code };
    if (exception instanceof DomainError) answered.facts = exception.facts;
    (request as { [ANSWERED]?: AnsweredProblem })[ANSWERED] = answered;
    if (retryAfterSeconds !== undefined)
      void reply.header('Retry-After', String(retryAfterSeconds));
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

  private clientMessage(exception: HttpException): string {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    return exception.message;
  }
}
