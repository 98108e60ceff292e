import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsBoundedString } from '../../common/validation';
import { IsPasswordField } from '../../users/password-field';
import { IsAccountEmail } from '../../users/dto/account-email.decorator';

export class ForgotPasswordRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @IsAccountEmail()
  email: string;
}

export class ResetPasswordRequest {
  @ApiProperty({ description: 'The token from the emailed link' })
  @IsBoundedString(1, 256)
  token: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    description:
      'Checked with the signup policy (at least PASSWORD_MIN_LENGTH characters, 8 by default)',
  })
  @IsPasswordField()
  new_password: string;
}

export class ChangePasswordRequest {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsPasswordField()
  current_password: string;

  @ApiProperty({
    example: 'another horse, another staple',
    description:
      'Checked with the signup policy (at least PASSWORD_MIN_LENGTH characters, 8 by default)',
  })
  @IsPasswordField()
  new_password: string;

  @ApiPropertyOptional({
    example: '123456',
    description:
      'Required while two-factor login is on: a code from the authenticator app or a recovery code (spent)',
  })
  @IsOptional()
  @IsBoundedString(6, 64)
  code?: string;
}
