import { createParamDecorator, ExecutionContext } from '@nestjs/common';

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

export function trailOf(request: object): AuditTrail {
  const holder = request as { [TRAIL]?: AuditTrail };
  holder[TRAIL] ??= new AuditTrail();
  return holder[TRAIL];
}

/** The request's audit trail, for handlers to pass to the services they call. */
export const Trail = createParamDecorator((_: unknown, context: ExecutionContext): AuditTrail =>
  trailOf(context.switchToHttp().getRequest<object>()),
);
