import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { PageLimitQuery } from '../../common/pagination';
import { ROLE_NAMES, RoleName } from '../../roles/roles';
import { SessionView } from '../../sessions/dto/session.response';
import { UserResponse } from '../../users/dto/user.response';
import { ACCOUNT_STATUSES, AccountStatus } from '../../users/user.entity';
import type { UserWithRoles } from '../../users/users.service';

export const ACCOUNT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** created_at in milliseconds and the id of the last account of the previous page. */
const USER_CURSOR = /^[0-9]{1,15}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class UserIdParam {
  @ApiProperty({
    format: 'uuid',
    pattern: ACCOUNT_ID_PATTERN.source,
    description: "The account's id",
  })
  @IsString()
  @Matches(ACCOUNT_ID_PATTERN, { message: 'id must be an account id (a lower-case UUID)' })
  id: string;
}

export class UserSearchQuery extends PageLimitQuery {
  @ApiPropertyOptional({
    description: 'A prefix of the email or of the username, without regard to case',
    minLength: 1,
    maxLength: 254,
  })
  @IsOptional()
  @IsString()
  @Length(1, 254)
  query?: string;

  @ApiPropertyOptional({ enum: ACCOUNT_STATUSES })
  @IsOptional()
  @IsIn(ACCOUNT_STATUSES)
  status?: AccountStatus;

  @ApiPropertyOptional({ enum: ROLE_NAMES, description: 'Accounts that hold this role' })
  @IsOptional()
  @IsIn(ROLE_NAMES)
  role?: RoleName;

  @ApiPropertyOptional({
    description: 'The next_cursor of the previous page (opaque)',
    pattern: USER_CURSOR.source,
  })
  @IsOptional()
  @IsString()
  @Matches(USER_CURSOR, { message: 'cursor must be a next_cursor from a previous page' })
  cursor?: string;
}

export function userCursor(user: { createdAt: Date; id: string }): string {
  return `${user.createdAt.getTime()}_${user.id}`;
}

export function afterCursor(cursor: string): { createdAt: Date; id: string } {
  const [ms, id] = cursor.split('_');
  return { createdAt: new Date(Number(ms)), id };
}

/** An account as an admin sees it: what GET /users/me shows, and its standing. */
export class AdminUserView extends UserResponse {
  @ApiProperty({ enum: ACCOUNT_STATUSES })
  status: AccountStatus;

  @ApiProperty({ enum: ROLE_NAMES, isArray: true, example: ['user', 'admin'] })
  roles: RoleName[];

  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  last_login_at: string | null;

  static override of(user: UserWithRoles): AdminUserView {
    return {
      ...UserResponse.of(user),
      status: user.status,
      roles: user.roles,
      created_at: user.createdAt.toISOString(),
      last_login_at: user.lastLoginAt?.toISOString() ?? null,
    };
  }
}

export class AdminUserPage {
  @ApiProperty({ type: [AdminUserView], description: 'Newest account first' })
  items: AdminUserView[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  next_cursor: string | null;
}

export class MfaState {
  @ApiProperty({
    description: 'Whether two-factor login (TOTP) is on',
    example: false,
  })
  enabled: boolean;
}

export class AdminUserDetail extends AdminUserView {
  @ApiProperty({ type: SessionView, nullable: true, description: 'The active session, if any' })
  active_session: SessionView | null;

  @ApiProperty({ type: MfaState })
  mfa: MfaState;
}

export class ReasonRequest {
  @ApiProperty({ description: 'Why; kept in the audit trail', minLength: 1, maxLength: 500 })
  @IsString()
  @Length(1, 500)
  reason: string;
}

export class RolesRequest {
  @ApiProperty({
    enum: ROLE_NAMES,
    isArray: true,
    maxItems: ROLE_NAMES.length,
    uniqueItems: true,
    description: 'The roles the account will have; `user` is kept whether listed or not',
  })
  @IsArray()
  @ArrayMaxSize(ROLE_NAMES.length)
  @ArrayUnique()
  @IsIn(ROLE_NAMES, { each: true, message: `each role must be one of: ${ROLE_NAMES.join(', ')}` })
  roles: RoleName[];
}

export class RolesResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ROLE_NAMES, isArray: true, example: ['user', 'admin'] })
  roles: RoleName[];
}
