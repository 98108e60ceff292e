import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';
import { normaliseUsername, USERNAME_PATTERN } from '../../users/identity';
import { IsPasswordField } from '../../users/password-field';
import { PASSWORD_MAX_LENGTH } from '../../users/password-policy';
import { UserResponse } from '../../users/dto/user.response';
import { IsAccountEmail } from '../../users/dto/account-email.decorator';

export class SignupRequest {
  @ApiProperty({
    example: 'ada_lovelace',
    description: '3-32 letters, digits, _ . - (NFKC-normalised); unique without regard to case',
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
    minLength: 8,
    maxLength: PASSWORD_MAX_LENGTH,
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

  @ApiPropertyOptional({
    description:
      "End the account's active session and start this one (after a 409 SESSION_ACTIVE, with the user's consent)",
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class RefreshRequest {
  @ApiProperty({
    description: 'The refresh token from the last login or refresh; each one works once',
  })
  @IsString()
  @Length(1, 512)
  refresh_token: string;
}

export class TokenResponse {
  @ApiProperty({ description: 'JWT for Authorization: Bearer' })
  access_token: string;

  @ApiProperty({ example: 'bearer' })
  token_type: 'bearer';

  @ApiProperty({ example: 1800, description: 'Seconds until the access token expires' })
  expires_in: number;

  @ApiProperty({ description: 'Opaque; rotated on every use; a reused one revokes the session' })
  refresh_token: string;
}
