import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { DomainError, Errors } from '../../common/errors';
import { IS_PUBLIC } from '../../common/public.decorator';
import { refuse } from '../session-check';
import type { BearerFailure } from '../strategies/jwt.strategy';

/** Every route needs a live session unless it is marked @Public(). */
@Injectable()
export class SessionGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const open = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    return open ? true : super.canActivate(context);
  }

  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    if (error instanceof DomainError) throw error;
    if (user) return user;
    const failure = info as BearerFailure | undefined;
    if (failure === 'NO_TOKEN')
      throw Errors.unauthorized('TOKEN_INVALID', 'A bearer token is required');
    throw refuse(failure === 'TOKEN_EXPIRED' ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID');
  }
}
