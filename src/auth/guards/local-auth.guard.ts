import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Errors } from '../../common/errors';
import { createValidationPipe } from '../../common/validation';
import { LoginRequest } from '../dto/auth.dto';

/**
 * Guards run before pipes, so the login body is validated here, by the app's own validation
 * pipe, before Passport reads it: malformed input is 400, never a credential check.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  private readonly validation = createValidationPipe();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { body: unknown }>();
    const raw = request.body;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw Errors.validation([{ field: 'body', message: 'body must be a JSON object' }]);
    }
    request.body = await this.validation.transform(raw, { type: 'body', metatype: LoginRequest });
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    if (error) throw error;
    if (!user) throw Errors.invalidCredentials();
    return user;
  }
}
