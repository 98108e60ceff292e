import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsBoundedString } from '../../common/validation';

/** RFC 7662 section 2.1, form-encoded or JSON. */
export class IntrospectRequest {
  @ApiProperty({ description: 'The access token to introspect' })
  @IsBoundedString(1, 8192)
  token: string;

  @ApiPropertyOptional({ description: 'Accepted and ignored: only access tokens are introspected' })
  @IsOptional()
  @IsBoundedString(1, 64)
  token_type_hint?: string;
}

/** RFC 7662 section 2.2: `{active: false}` alone for any token that is not live, whatever the reason. */
export class IntrospectionResponse {
  @ApiProperty({ description: 'Whether the token verifies and its session is active' })
  active: boolean;

  @ApiPropertyOptional({ description: 'The user id (active tokens only)', format: 'uuid' })
  sub?: string;

  @ApiPropertyOptional({ description: 'The session id (active tokens only)', format: 'uuid' })
  sid?: string;

  @ApiPropertyOptional({ description: 'Expiry, seconds since the epoch', example: 1767225600 })
  exp?: number;

  @ApiPropertyOptional({ description: 'Issued at, seconds since the epoch', example: 1767223800 })
  iat?: number;

  @ApiPropertyOptional({ example: 'nest-auth-service' })
  iss?: string;

  @ApiPropertyOptional({ example: 'nest-auth-service' })
  aud?: string;

  @ApiPropertyOptional({ enum: ['access_token'] })
  token_type?: 'access_token';
}
