import { registerAs } from '@nestjs/config';
import { ConfigError, env } from './env';

export const redisConfig = registerAs('redis', () => {
  const url = env.optional('REDIS_URL');
  if (url && !/^rediss?:\/\//.test(url))
    throw new ConfigError('REDIS_URL', 'must start with redis:// or rediss://');
  return { url };
});
