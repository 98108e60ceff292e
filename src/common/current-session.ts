import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { RoleName } from '../roles/roles';

/** What the session guard attaches to a request it lets through. */
export interface AuthenticatedSession {
  userId: string;
  sessionId: string;
  /** The account's roles, read with the session on this request (never from the token). */
  roles: readonly RoleName[];
}

export const CurrentSession = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedSession =>
    context.switchToHttp().getRequest<{ user: AuthenticatedSession }>().user,
);
