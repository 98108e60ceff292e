import { ApiProperty } from '@nestjs/swagger';
import { amrOf } from '../access-tokens';
import type { SessionSnapshot } from '../session-snapshot';

export class SessionView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;

  @ApiProperty({ type: String, format: 'date-time' })
  expires_at: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'Updated at most once a minute' })
  last_seen_at: string;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({ type: String, nullable: true })
  user_agent: string | null;

  @ApiProperty({ example: false, description: 'The session was started with a second factor' })
  mfa: boolean;

  static of(session: Omit<SessionSnapshot, 'roles' | 'userId' | 'status'>): SessionView {
    return {
      id: session.id,
      created_at: session.createdAt.toISOString(),
      expires_at: session.expiresAt.toISOString(),
      last_seen_at: session.lastSeenAt.toISOString(),
      ip: session.ip,
      user_agent: session.userAgent,
      mfa: amrOf(session).includes('otp'),
    };
  }
}

export class ActiveSessionResponse {
  @ApiProperty({ example: true })
  active: boolean;

  @ApiProperty({ type: SessionView })
  session: SessionView;
}
