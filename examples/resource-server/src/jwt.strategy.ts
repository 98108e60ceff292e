import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { config } from './config';

export interface Caller {
  userId: string;
  sessionId: string;
}

/**
 * Verifies the auth service's access tokens locally: the key by `kid` from its JWKS (cached,
 * re-fetched for an unknown kid, rate-limited), an explicit algorithm allow-list, issuer and
 * audience. No shared secret. jsonwebtoken (inside passport-jwt) has no EdDSA: for an auth
 * service on ALGORITHM=EdDSA, verify with `jose` instead.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: passportJwtSecret({
        jwksUri: `${config.authUrl}/.well-known/jwks.json`,
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
      }),
      algorithms: ['ES256', 'RS256'],
      issuer: config.issuer,
      audience: config.audience,
    });
  }

  validate(claims: { sub: string; sid: string }): Caller {
    return { userId: claims.sub, sessionId: claims.sid };
  }
}
