import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches } from 'class-validator';
import { ApiClosedSchema } from '../../common/api-docs';
import { IsBoundedString } from '../../common/validation';
import { normaliseUsername, USERNAME_PATTERN } from '../../users/identity';
import { IsPasswordField } from '../../users/password-field';
import { UserResponse } from '../../users/dto/user.response';
import { IsAccountEmail } from '../../users/dto/account-email.decorator';
import { TOTP_CODE } from '../../mfa/totp';

/** `force`: end the active session and start this one (a login step's answer to 409). */
const IsForceFlag = () =>
  applyDecorators(
    ApiPropertyOptional({
      description:
        "End the account's active session and start this one (after a 409 SESSION_ACTIVE, with the user's consent)",
      default: false,
    }),
    IsOptional(),
    IsBoolean(),
  );

export class SignupRequest {
  @ApiProperty({
    example: 'ada_lovelace',
    description:
      '3-32 letters, digits, _ . - (checked after NFKC normalisation and trimming); unique without regard to case',
    pattern: USERNAME_PATTERN.source,
    minLength: 3,
    maxLength: 32,
  })
  @IsString()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normaliseUsername(value) : value,
  )
  @Matches(USERNAME_PATTERN, {
    message: 'username must be 3-32 letters, digits, "_", "." or "-"',
  })
  username: string;

  @ApiProperty({ example: 'ada@example.com', description: 'Trimmed and lower-cased' })
  @IsAccountEmail()
  email: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    description:
      'Checked with the password policy (at least PASSWORD_MIN_LENGTH characters, 8 by default)',
  })
  @IsPasswordField()
  password: string;
}

export class SignupResponse {
  @ApiProperty({ example: 'success' })
  status: string;

  @ApiProperty({ example: 'User created successfully' })
  message: string;

  @ApiProperty({ type: UserResponse })
  user: UserResponse;
}

export class LoginRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @IsAccountEmail()
  email: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsPasswordField()
  password: string;

  @IsForceFlag()
  force?: boolean;
}

export class RefreshRequest {
  @ApiProperty({
    description: 'The refresh token from the last login or refresh; each one works once',
  })
  @IsBoundedString(1, 512)
  refresh_token: string;
}

/** The tokens in cookie mode (X-Token-Delivery: cookie): the refresh token is in the cookie. */
@ApiClosedSchema()
export class CookieTokenResponse {
  @ApiProperty({ description: 'JWT for Authorization: Bearer' })
  access_token: string;

  @ApiProperty({ example: 'bearer' })
  token_type: 'bearer';

  @ApiProperty({ example: 1800, description: 'Seconds until the access token expires' })
  expires_in: number;
}

export class TokenResponse extends CookieTokenResponse {
  @ApiProperty({ description: 'Opaque; rotated on every use; a reused one revokes the session' })
  refresh_token: string;
}

export class MfaLoginRequest {
  @ApiProperty({ description: 'The mfa_token the password step answered (five minutes)' })
  @IsBoundedString(1, 128)
  mfa_token: string;

  @ApiPropertyOptional({
    example: '123456',
    description:
      'The code the authenticator app shows. Send it or recovery_code; neither on a forced retry ' +
      'after 409 SESSION_ACTIVE',
    pattern: TOTP_CODE.source,
  })
  @IsOptional()
  @IsString()
  @Matches(TOTP_CODE, { message: 'code must be 6 digits' })
  code?: string;

  @ApiPropertyOptional({
    example: '7k2m-q9xd-4hvc-t8n3-pw6e-r1sb',
    description: 'One of the recovery codes, instead of code (spent when used)',
  })
  @IsOptional()
  @IsBoundedString(1, 64)
  recovery_code?: string;

  @IsForceFlag()
  force?: boolean;
}

export class MfaChallengeResponse {
  @ApiProperty({ example: true, enum: [true] })
  mfa_required: true;

  @ApiProperty({ description: 'For POST /auth/login/mfa; single use, five minutes, five codes' })
  mfa_token: string;

  @ApiProperty({
    example: ['totp', 'recovery_code'],
    type: [String],
    enum: ['totp', 'recovery_code'],
  })
  mfa_methods: Array<'totp' | 'recovery_code'>;

  @ApiProperty({ example: 300, description: 'Seconds the mfa_token stays valid' })
  expires_in: number;
}
