import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  HttpException,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { concatMap, from, Observable, throwError } from 'rxjs';
import { catchError } from 'rxjs/operators';
import { DomainError } from '../common/errors';
import { codeForStatus } from '../common/problem-details';
import { uniqueViolation } from '../common/transactions';
import { AuditRecorder, AuditResult } from './audit-recorder';
import { AUDIT_ACTION } from './audit-trail';

export function failureOf(error: unknown): AuditResult {
  if (error instanceof DomainError)
    return { outcome: 'failure', status: error.status, code: error.code };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { outcome: 'failure', status, code: codeForStatus(status) };
  }
  if (uniqueViolation(error)) return { outcome: 'failure', status: 409, code: 'CONFLICT' };
  return { outcome: 'failure', status: 500, code: 'INTERNAL_ERROR' };
}

/**
 * Writes one audit row per call of an @Audit handler, success or failure, plus the extra events
 * the call reported on its trail, before the answer is sent (through the AuditRecorder).
 *
 * Applied by @Audit() to the handlers it marks, not globally: Nest wraps every call of a route
 * with interceptors in rxjs and two AsyncResource.bind()s, which on Node 20 each build two
 * deprecation wrappers. For the session check that was 17% of its JavaScript time, for an
 * interceptor that had nothing to do there.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly recorder: AuditRecorder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const action = this.reflector.get<string | undefined>(AUDIT_ACTION, context.getHandler());
    if (!action || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return next.handle().pipe(
      concatMap(async (value: unknown) => {
        await this.recorder.record(request, action, { outcome: 'success' });
        return value;
      }),
      catchError((error: unknown) =>
        from(this.recorder.record(request, action, failureOf(error))).pipe(
          concatMap(() => throwError(() => error)),
        ),
      ),
    );
  }
}

/**
 * Marks a handler as an auth event and puts the audit interceptor on it: one row per call. The
 * action is also put in the Fastify route config, so that a call refused by a guard (before any
 * interceptor runs, e.g. a failed login) is still written. The handler's module imports
 * AuditModule.
 */
export const Audit = (action: string) =>
  applyDecorators(
    SetMetadata(AUDIT_ACTION, action),
    RouteConfig({ [AUDIT_ACTION]: action }),
    UseInterceptors(AuditInterceptor),
  );
