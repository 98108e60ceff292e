import { Injectable } from '@nestjs/common';
import { TokenError } from 'fast-jwt';
import { DomainError } from '../common/errors';
import { KeyRing, UnknownKeyError } from '../keys/key-ring';
import { JwtStrategy } from '../sessions/strategies/jwt.strategy';
import type { IntrospectionResponse } from './dto/introspection.dto';

const INACTIVE: IntrospectionResponse = { active: false };

/** RFC 7662 for our access tokens: active while the token verifies and its session is live. */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly keys: KeyRing,
    private readonly sessionCheck: JwtStrategy,
  ) {}

  /** Any refusal is `{active: false}`, never why; a database outage still fails (503). */
  async introspect(token: string): Promise<IntrospectionResponse> {
    try {
      const claims = await this.keys.verify(token);
      await this.sessionCheck.validate(claims);
      const { sub, sid, exp, iat, iss, aud } = claims as Record<string, never>;
      return { active: true, sub, sid, exp, iat, iss, aud, token_type: 'access_token' };
    } catch (error) {
      const refused =
        error instanceof TokenError ||
        error instanceof UnknownKeyError ||
        (error instanceof DomainError && error.status === 401);
      if (refused) return INACTIVE;
      throw error;
    }
  }
}
