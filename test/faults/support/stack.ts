import { randomBytes } from 'node:crypto';
import { SmtpPeer } from '../../support/smtp-peer';
import { MariaDb } from './mariadb';
import { RedisServer } from './redis';
import { Service, serviceEnv } from './service';

/**
 * What a faults scenario runs against: a private MariaDB with a fresh database, an SMTP peer,
 * optionally a private Redis, and one built service process over them.
 */
export class Stack {
  private constructor(
    readonly db: MariaDb,
    readonly smtp: SmtpPeer,
    readonly redis: RedisServer | null,
    readonly service: Service,
    readonly dbName: string,
  ) {}

  static async start(
    options: { redis?: boolean; env?: Record<string, string> } = {},
  ): Promise<Stack> {
    const dbName = `auth_faults_${randomBytes(4).toString('hex')}`;
    const [db, smtp, redis] = await Promise.all([
      MariaDb.start(),
      SmtpPeer.start(),
      options.redis ? RedisServer.start() : Promise.resolve(null),
    ]);
    try {
      await db.createDatabase(dbName);
      const env = serviceEnv({ ...db.connection, name: dbName }, smtp, {
        ...(redis ? { REDIS_URL: redis.url } : {}),
        ...options.env,
      });
      const service = await Service.start(env);
      return new Stack(db, smtp, redis, service, dbName);
    } catch (error) {
      await Promise.all([db.close(), smtp.close(), redis?.close()]);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.service.kill();
    await Promise.all([this.db.close(), this.smtp.close(), this.redis?.close()]);
  }
}
