import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import type { AuditLog } from '../audit-log.entity';

export const AUDIT_PAGE_DEFAULT = 20;
export const AUDIT_PAGE_MAX = 100;
const CURSOR_PATTERN = /^[1-9][0-9]{0,14}$/;

/** Digits become a number for the validators; anything else stays as given and is refused. */
const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;

export class AuditPageQuery {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: AUDIT_PAGE_MAX,
    default: AUDIT_PAGE_DEFAULT,
  })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'limit must be an integer from 1 to 100' })
  @Min(1, { message: 'limit must be an integer from 1 to 100' })
  @Max(AUDIT_PAGE_MAX, { message: 'limit must be an integer from 1 to 100' })
  limit?: number;

  @ApiPropertyOptional({
    description: 'The next_cursor of the previous page (opaque)',
    pattern: CURSOR_PATTERN.source,
  })
  @IsOptional()
  @IsString()
  @Matches(CURSOR_PATTERN, { message: 'cursor must be a next_cursor from a previous page' })
  cursor?: string;
}

export class AuditEventView {
  @ApiProperty({ type: 'integer', example: 42 })
  id: number;

  @ApiProperty({
    example: 'login',
    description:
      'signup, email.verify.sent, email.verify, login, login.failed, logout, token.refresh, ' +
      'token.reuse, session.replaced, password.forgot, password.reset, password.change',
  })
  action: string;

  @ApiProperty({ enum: ['success', 'failure'] })
  outcome: string;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({ type: String, nullable: true })
  user_agent: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { session_id: '1f0c6e0e-8a4b-4c36-9a53-1d1e0f7f2b8e', forced: false },
    description: 'Small details of the event; failures carry the answer status and problem code',
  })
  meta: Record<string, unknown>;

  static of(row: AuditLog): AuditEventView {
    return {
      id: row.id,
      action: row.action,
      outcome: row.outcome,
      ip: row.ip,
      user_agent: row.userAgent,
      created_at: row.createdAt.toISOString(),
      meta: row.meta ? (JSON.parse(row.meta) as Record<string, unknown>) : {},
    };
  }
}

export class AuditPageResponse {
  @ApiProperty({ type: [AuditEventView], description: 'Newest first' })
  items: AuditEventView[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  next_cursor: string | null;
}
