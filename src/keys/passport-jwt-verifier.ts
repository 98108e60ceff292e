import { Strategy } from 'passport-jwt';
import { VerificationKey } from './key-ring';

type Verify = (
  token: string,
  key: unknown,
  options: unknown,
  done: (error: Error | null, payload?: unknown) => void,
) => void;

/**
 * passport-jwt verifies with jsonwebtoken 9, which has no EdDSA. Its strategy calls the
 * replaceable `Strategy.JwtVerifier(token, key, options, done)` with the key that
 * secretOrKeyProvider chose: for our VerificationKey (fast-jwt, the key's own algorithm only)
 * that key verifies; any other key still goes to jsonwebtoken as before.
 */
const passportJwt = Strategy as unknown as { JwtVerifier: Verify };
const jsonwebtoken = passportJwt.JwtVerifier;

passportJwt.JwtVerifier = (token, key, options, done) => {
  if (!(key instanceof VerificationKey)) return jsonwebtoken(token, key, options, done);
  let payload: Record<string, unknown>;
  try {
    payload = key.verify(token);
  } catch (error) {
    return done(error as Error);
  }
  done(null, payload);
};
