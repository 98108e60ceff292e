import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { IsBoundedString } from '../../common/validation';
import { SECOND_FACTOR_CODE } from '../../mfa/dto/mfa.dto';
import type { UserIdentity } from '../user-identity.entity';

const REDIRECT_URI = {
  description:
    'The client page that receives the result: must equal one of OAUTH_REDIRECT_URIS exactly ' +
    '(scheme, host, port, path, trailing slash)',
  example: 'https://app.example.com/auth/done',
  maxLength: 2048,
};

export class ProvidersResponse {
  @ApiProperty({ example: ['google', 'github'], type: [String] })
  providers: string[];
}

export class StartQuery {
  @ApiProperty(REDIRECT_URI)
  @IsString()
  @Length(1, 2048)
  redirect_uri: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description:
      "End the account's active session at the exchange (after a 409 SESSION_ACTIVE, with the user's consent)",
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  force?: 'true' | 'false';
}

export class ExchangeRequest {
  @ApiProperty({ description: 'The code the callback put on redirect_uri (60 s, single use)' })
  @IsBoundedString(1, 128)
  code: string;
}

export class LinkIdentityRequest {
  @ApiPropertyOptional({
    example: 'correct horse battery staple',
    description: 'The account password (required when the account has one)',
  })
  @IsOptional()
  @IsBoundedString(1, 1024)
  password?: string;

  @ApiPropertyOptional({
    ...SECOND_FACTOR_CODE,
    description: `Required with two-factor login on. ${SECOND_FACTOR_CODE.description}`,
  })
  @IsOptional()
  @IsBoundedString(1, 64)
  code?: string;

  @ApiProperty(REDIRECT_URI)
  @IsString()
  @Length(1, 2048)
  redirect_uri: string;
}

export class AuthorizationUrlResponse {
  @ApiProperty({
    description:
      "Open it in the same browser (the link is bound to it by an HttpOnly cookie set with this answer): the provider's sign-in page",
  })
  authorization_url: string;
}

export class IdentityResponse {
  @ApiProperty({ example: 'github' })
  provider: string;

  @ApiProperty({ example: 'ada@example.com', nullable: true, type: String })
  email: string | null;

  @ApiProperty({ example: '2026-01-31T09:15:02.000Z' })
  created_at: string;

  @ApiProperty({ example: '2026-01-31T09:15:02.000Z', nullable: true, type: String })
  last_used_at: string | null;

  static of(identity: UserIdentity): IdentityResponse {
    return {
      provider: identity.provider,
      email: identity.email,
      created_at: identity.createdAt.toISOString(),
      last_used_at: identity.lastUsedAt?.toISOString() ?? null,
    };
  }
}

export class IdentitiesResponse {
  @ApiProperty({ type: [IdentityResponse] })
  identities: IdentityResponse[];
}
