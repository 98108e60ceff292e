import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { config } from './config';

/**
 * Asks the auth service whether the bearer token is live right now (RFC 7662): a logout or a
 * revoked session is refused at once, not at the token's `exp`. One HTTP call per request.
 */
@Injectable()
export class IntrospectionGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{
      headers: Record<string, string | undefined>;
      user?: unknown;
    }>();
    const token = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw new UnauthorizedException();
    const credentials = Buffer.from(
      `${encodeURIComponent(config.introspectionClientId)}:${encodeURIComponent(config.introspectionSecret)}`,
    ).toString('base64');
    const response = await fetch(`${config.authUrl}/oauth/introspect`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${credentials}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token }).toString(),
    });
    if (!response.ok) throw new Error(`introspection answered ${response.status}`);
    const answer = (await response.json()) as { active: boolean; sub?: string; sid?: string };
    if (!answer.active) throw new UnauthorizedException();
    request.user = { userId: answer.sub, sessionId: answer.sid };
    return true;
  }
}
