import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** What the session guard attaches to a request it lets through. */
export interface AuthenticatedSession {
  userId: string;
  sessionId: string;
}

export const CurrentSession = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedSession =>
    context.switchToHttp().getRequest<{ user: AuthenticatedSession }>().user,
);
