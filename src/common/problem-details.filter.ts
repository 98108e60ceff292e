import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from './errors';
import { codeForStatus, problem, PROBLEM_CONTENT_TYPE, ProblemDetails } from './problem-details';
import { uniqueViolation } from './transactions';

const PARSER_MESSAGES: Record<number, string> = {
  400: 'The request body is not valid JSON',
  413: 'The request body is larger than 100 kB',
  415: 'Only application/json request bodies are accepted',
};

/** Turns every failure into RFC 9457 problem details; nothing internal reaches the client. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { body, retryAfterSeconds } = this.describe(exception, request);
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
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status < 500) {
        return {
          body: problem(status, codeForStatus(status), this.clientMessage(exception), context),
        };
      }
    }
    const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      // Fastify's own refusals (body parsing, size, media type): curated words, not the library's.
      return {
        body: problem(
          fastifyStatus,
          codeForStatus(fastifyStatus),
          PARSER_MESSAGES[fastifyStatus] ?? 'The request was refused',
          context,
        ),
      };
    }
    if (uniqueViolation(exception)) {
      return {
        body: problem(HttpStatus.CONFLICT, 'CONFLICT', 'The resource already exists', context),
      };
    }
    this.logger.error({ err: exception, requestId: context.requestId }, 'Unhandled error');
    return {
      body: problem(
        HttpStatus.INTERNAL_SERVER_ERROR,
        'INTERNAL_ERROR',
        'Something failed on our side',
        context,
      ),
    };
  }

  private clientMessage(exception: HttpException): string {
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    return exception.message;
  }
}
