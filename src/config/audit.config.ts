import { registerAs } from '@nestjs/config';
import { env } from './env';

export const auditConfig = registerAs('audit', () => ({
  retentionDays: env.int('AUDIT_RETENTION_DAYS', 365, 1, 36500),
}));
