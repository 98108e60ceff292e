import { registerAs } from '@nestjs/config';
import { appConfig } from './app.config';
import { ConfigError, env } from './env';

function linkTemplate(key: string, fallback: string): string {
  const template = env.url(key, fallback);
  if (!template.includes('{token}')) throw new ConfigError(key, 'must contain {token}');
  return template;
}

export const mailConfig = registerAs('mail', () => {
  const { appUrl } = appConfig();
  const smtpEmail = env.optional('SMTP_EMAIL');
  return {
    smtp: env.optional('SMTP_SERVER')
      ? {
          host: env.str('SMTP_SERVER', ''),
          port: env.int('SMTP_PORT', 587, 1, 65535),
          user: smtpEmail,
          password: env.optional('SMTP_PASSWORD'),
        }
      : undefined,
    from: env.str('MAIL_FROM', smtpEmail ?? 'no-reply@localhost'),
    outboxDir: env.str('MAIL_OUTBOX_DIR', './var/outbox'),
    logLinks: !env.isProduction(),
    verifyUrl: linkTemplate('VERIFY_URL', `${appUrl}/verify/confirm?token={token}`),
    resetUrl: linkTemplate('RESET_URL', `${appUrl}/password/reset?token={token}`),
  };
});
