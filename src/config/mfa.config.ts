import { registerAs } from '@nestjs/config';
import { ConfigError, env } from './env';

/** Two-factor login: the issuer authenticator apps show next to the account. */
export const mfaConfig = registerAs('mfa', () => {
  const port = env.int('PORT', 3000, 0, 65535);
  const appHost = new URL(env.url('APP_URL', `http://localhost:${port}`)).hostname;
  const issuer = env.str('MFA_ISSUER', appHost).trim();
  // The otpauth label is "issuer:account": a colon (a host's port) would split it wrongly.
  if (!issuer || issuer.length > 64 || issuer.includes(':'))
    throw new ConfigError('MFA_ISSUER', 'must be 1-64 characters without ":"');
  return { issuer };
});
