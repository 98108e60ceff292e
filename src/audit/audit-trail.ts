import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';

export type AuditOutcome = 'success' | 'failure';

export interface AuditEvent {
  action: string;
  outcome: AuditOutcome;
  userId?: string | null;
  meta?: Record<string, string | number | boolean | null>;
}

/**
 * What a request learned for its audit row: the account it concerned and small metadata, plus
 * any further events it caused (a replaced session, a reused refresh token). Handlers and
 * services fill it; the audit interceptor writes it, whatever the outcome.
 */
export class AuditTrail {
  userId: string | null = null;
  meta: Record<string, string | number | boolean | null> = {};
  readonly extra: AuditEvent[] = [];

  concerns(userId: string): this {
    this.userId = userId;
    return this;
  }

  also(event: AuditEvent): void {
    this.extra.push(event);
  }
}

export const AUDIT_ACTION = 'auditAction';
const TRAIL = Symbol('auditTrail');

/**
 * Marks a handler as an auth event; the interceptor writes one row per call. The action is also
 * put in the Fastify route config, so that a call refused by a guard (before any interceptor
 * runs, e.g. a failed login) is still written.
 */
export const Audit = (action: string) =>
  applyDecorators(SetMetadata(AUDIT_ACTION, action), RouteConfig({ [AUDIT_ACTION]: action }));

export function trailOf(request: object): AuditTrail {
  const holder = request as { [TRAIL]?: AuditTrail };
  holder[TRAIL] ??= new AuditTrail();
  return holder[TRAIL];
}

/** The request's audit trail, for handlers to pass to the services they call. */
export const Trail = createParamDecorator((_: unknown, context: ExecutionContext): AuditTrail =>
  trailOf(context.switchToHttp().getRequest<object>()),
);
