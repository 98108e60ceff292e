import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import {
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Public } from '../common/public.decorator';
import { ApiPublic } from '../common/api-docs';
import { Transactions } from '../common/transactions';
import { appConfig } from '../config/app.config';
import { RedisConnection } from '../redis/redis.module';

/** Each check gets this long: /health/ready answers within a second whatever the stores do. */
const CHECK_TIMEOUT_MS = 800;

/** `check`'s answer, or false (down) once `ms` have passed without one. */
function within(check: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([check, late]).finally(() => clearTimeout(timer));
}

class StatusResponse {
  @ApiProperty({ example: 'ok' })
  status: string;

  @ApiProperty({ example: 'nest-auth-service' })
  name: string;

  @ApiProperty({ example: '0.1.0' })
  version: string;
}

class LivenessResponse {
  @ApiProperty({ example: 'ok' })
  status: string;
}

const CHECK_STATES = ['up', 'down'];

class ReadinessChecks {
  @ApiProperty({ enum: CHECK_STATES, example: 'up' })
  database: 'up' | 'down';

  @ApiPropertyOptional({
    enum: CHECK_STATES,
    example: 'up',
    description: 'Only when REDIS_URL is set',
  })
  redis?: 'up' | 'down';
}

class ReadinessResponse {
  @ApiProperty({ example: 'ok', enum: ['ok', 'degraded', 'unavailable'] })
  status: string;

  @ApiProperty({ type: ReadinessChecks })
  checks: ReadinessChecks;
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
  @ApiPublic({ summary: 'The service: its name and version' })
  @ApiOkResponse({ type: StatusResponse })
  status(): StatusResponse {
    return { status: 'ok', name: this.app.name, version: this.app.version };
  }

  @Get('health/live')
  @ApiPublic({ summary: 'Liveness: the process is up (never touches the database)' })
  @ApiOkResponse({ type: LivenessResponse, description: 'The process is up' })
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  @ApiPublic({
    summary: 'Readiness: the database (and Redis when set) answer',
    description:
      '503 with status "unavailable" when the database does not answer; 200 with status ' +
      '"degraded" when only Redis is down (every instance still answers exactly, from the database).',
  })
  @ApiOkResponse({ type: ReadinessResponse })
  @ApiServiceUnavailableResponse({
    type: ReadinessResponse,
    description: 'The database is down (not problem details: the same body as a 200)',
    example: { status: 'unavailable', checks: { database: 'down' } },
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessResponse> {
    const [database, redis] = await Promise.all([
      within(this.databaseUp(), CHECK_TIMEOUT_MS),
      this.redis.client ? within(this.redis.ping(), CHECK_TIMEOUT_MS) : null,
    ]);
    const checks: ReadinessChecks = { database: database ? 'up' : 'down' };
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
