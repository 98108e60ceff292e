import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerRequest } from '@nestjs/throttler';
import { normaliseEmail } from '../common/email';
import { Errors } from '../common/errors';

/** The normalised email a request body names, if any: the per-account key. */
export function accountOf(request: { body?: unknown }): string | null {
  const body = request.body as { email?: unknown } | undefined;
  return body && typeof body.email === 'string' ? normaliseEmail(body.email) : null;
}

/** @nestjs/throttler's guard, answering in problem details and skipping per-account limits without an email. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    if (request.throttler.name === 'account') {
      const http = request.context.switchToHttp().getRequest<{ body?: unknown }>();
      if (!accountOf(http)) return true;
    }
    return super.handleRequest(request);
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw Errors.tooManyRequests(Math.max(1, detail.timeToBlockExpire));
  }
}
