import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  ApiOkResponse,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Public } from '../common/public.decorator';
import { Transactions } from '../common/transactions';
import { appConfig } from '../config/app.config';
import { RedisConnection } from '../redis/redis.module';

class StatusResponse {
  @ApiProperty({ example: 'ok' })
  status: string;

  @ApiProperty({ example: 'nest-auth-service' })
  name: string;

  @ApiProperty({ example: '0.1.0' })
  version: string;
}

class ReadinessResponse {
  @ApiProperty({ example: 'ok', enum: ['ok', 'degraded', 'unavailable'] })
  status: string;

  @ApiProperty({
    example: { database: 'up', redis: 'up' },
    description: 'redis only when REDIS_URL is set',
  })
  checks: Record<string, 'up' | 'down'>;
}

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    private readonly redis: RedisConnection,
    private readonly transactions: Transactions,
  ) {}

  @Get()
  @ApiOkResponse({ type: StatusResponse })
  status(): StatusResponse {
    return { status: 'ok', name: this.app.name, version: this.app.version };
  }

  @Get('health/live')
  @ApiOkResponse({ description: 'The process is up' })
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @ApiOkResponse({ type: ReadinessResponse })
  @ApiServiceUnavailableResponse({ type: ReadinessResponse })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessResponse> {
    const [database, redis] = await Promise.all([
      this.databaseUp(),
      this.redis.client ? this.redis.ping() : null,
    ]);
    const checks: Record<string, 'up' | 'down'> = { database: database ? 'up' : 'down' };
    if (redis !== null) checks.redis = redis ? 'up' : 'down';
    if (!database) {
      void reply.status(503);
      return { status: 'unavailable', checks };
    }
    // Without Redis every instance still answers exactly, from the database: ready, degraded.
    return { status: redis === false ? 'degraded' : 'ok', checks };
  }

  private async databaseUp(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      // Reads may work while writes fail (a full disk): then the database is not ready either.
      return await this.transactions.writable();
    } catch {
      return false;
    }
  }
}
