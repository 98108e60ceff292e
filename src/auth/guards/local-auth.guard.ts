import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { DomainError, Errors } from '../../common/errors';
import { fieldErrorsOf } from '../../common/validation';
import { LoginRequest } from '../dto/auth.dto';

/**
 * Guards run before pipes, so the login body is validated here (same rules as everywhere)
 * before Passport reads it: malformed input is 400, never a credential check.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { body: unknown }>();
    const raw = request.body;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw Errors.validation([{ field: 'body', message: 'body must be a JSON object' }]);
    }
    const body = plainToInstance(LoginRequest, raw);
    const errors = await validate(body, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
    });
    if (errors.length > 0) throw Errors.validation(fieldErrorsOf(errors));
    request.body = body;
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<T>(error: unknown, user: T): T {
    if (error instanceof DomainError) throw error;
    if (error) throw error;
    if (!user) throw Errors.invalidCredentials();
    return user;
  }
}
