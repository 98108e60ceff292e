import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { PAGE_DEFAULT, PageLimitQuery } from '../../common/pagination';
import type { AuditLog } from '../audit-log.entity';

export const AUDIT_PAGE_DEFAULT = PAGE_DEFAULT;
const CURSOR_PATTERN = /^[1-9][0-9]{0,14}$/;

export class AuditPageQuery extends PageLimitQuery {
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
      'token.reuse, session.replaced, password.forgot, password.reset, password.change, ' +
      'account.delete; an admin acting on the account: admin.user.* (view, disable, enable, ' +
      'sessions.revoke, roles, verification_email, password_reset, delete), admin.grant and ' +
      'admin.revoke (the command line)',
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
