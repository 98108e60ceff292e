import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { Errors } from '../../common/errors';
import { IS_PUBLIC } from '../../common/public.decorator';
import { isExpiry } from '../../keys/key-ring';
import { refuse } from '../session-check';

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

  /** `info` is why passport-jwt failed the request: no bearer token, an unknown key, or the verifier's refusal. */
  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    if (error) throw error;
    if (user) return user;
    const reason = info instanceof Error ? info : undefined;
    if (reason?.message === 'No auth token')
      throw Errors.unauthorized('TOKEN_INVALID', 'A bearer token is required');
    throw refuse(isExpiry(reason) ? 'TOKEN_EXPIRED' : 'TOKEN_INVALID');
  }
}
