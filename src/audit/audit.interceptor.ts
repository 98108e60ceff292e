import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { concatMap, Observable } from 'rxjs';
import { AuditRecorder } from './audit-recorder';
import { Audited } from './audited';

export const AUDIT_ACTION = 'auditAction';

/**
 * Writes the audit rows of a successful call of an @Audit handler before the answer is sent:
 * its own event and the further events it reported (the handler returns `audited(body, facts)`).
 * Failed calls, whether refused by a guard, a pipe or the handler, are written by the
 * AuditRecorder's hook from the problem they were answered with.
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
        const { body, facts } = value instanceof Audited ? value : { body: value, facts: {} };
        await this.recorder.record(request, action, { outcome: 'success' }, facts);
        return body;
      }),
    );
  }
}

/**
 * Marks a handler as an auth event: one audit row per call, success or failure. The action is
 * also put in the Fastify route config, where the recorder's hook finds it for calls refused
 * before the handler ran (a failed login is refused by its guard).
 *
 * `actor`: the caller acts on another account (admin routes). Its rows name the caller as
 * actor_id and the account acted on (the handler's `userId`, else the path's `id`) as user_id.
 *
 * The interceptor goes on the handlers it marks, not on every route (APP_INTERCEPTOR): Nest runs
 * each intercepted call through rxjs and AsyncResource.bind, a cost the session check would pay
 * on every request for an interceptor with nothing to do there.
 */
export const Audit = (action: string, { actor = false }: { actor?: boolean } = {}) =>
  applyDecorators(
    SetMetadata(AUDIT_ACTION, action),
    RouteConfig({ [AUDIT_ACTION]: action, ...(actor ? { auditActor: true } : {}) }),
    UseInterceptors(AuditInterceptor),
  );
