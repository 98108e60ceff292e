import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { AuditEventView, AuditPageQuery } from '../../audit/dto/audit.dto';
import type { AuditLog } from '../../audit/audit-log.entity';
import { ACCOUNT_ID_PATTERN } from './admin-users.dto';

const ACTION_PATTERN = /^[a-z][a-z._]{0,39}$/;

export class AdminAuditQuery extends AuditPageQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    pattern: ACCOUNT_ID_PATTERN.source,
    description: 'Rows about this account',
  })
  @IsOptional()
  @IsString()
  @Matches(ACCOUNT_ID_PATTERN, { message: 'user_id must be an account id (a lower-case UUID)' })
  user_id?: string;

  @ApiPropertyOptional({ example: 'login.failed', pattern: ACTION_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(ACTION_PATTERN, { message: 'action must be an action name such as login.failed' })
  action?: string;

  @ApiPropertyOptional({ enum: ['success', 'failure'] })
  @IsOptional()
  @IsIn(['success', 'failure'])
  outcome?: 'success' | 'failure';

  @ApiPropertyOptional({ format: 'date-time', description: 'Rows at or after this time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Rows before this time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;
}

export class AdminAuditEventView extends AuditEventView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The account' })
  user_id: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Who acted on the account, when not its owner (an admin)',
  })
  actor_id: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The X-Request-Id of the call' })
  request_id: string | null;

  static ofRow(row: AuditLog): AdminAuditEventView {
    return {
      ...AuditEventView.of(row),
      user_id: row.userId,
      actor_id: row.actorId,
      request_id: row.requestId,
    };
  }
}

export class AdminAuditPage {
  @ApiProperty({ type: [AdminAuditEventView], description: 'Newest first' })
  items: AdminAuditEventView[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  next_cursor: string | null;
}
