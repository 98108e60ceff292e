import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  requestId: string;
}

/** The caller as the audit log and sessions record it. `req.ip` follows TRUST_PROXY. */
export function clientInfoOf(request: FastifyRequest): ClientInfo {
  const agent = request.headers['user-agent'];
  return {
    ip: request.ip ? request.ip.slice(0, 64) : null,
    userAgent: typeof agent === 'string' && agent !== '' ? agent.slice(0, 512) : null,
    requestId: String(request.id),
  };
}

export const Client = createParamDecorator((_: unknown, context: ExecutionContext): ClientInfo =>
  clientInfoOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
