import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../../users/password-policy';
import { IsAccountEmail } from '../../common/account-email';

/** UTF-16 units, generous: the policy counts characters and gives the precise reason. */
const PASSWORD_FIELD_MAX = PASSWORD_MAX_LENGTH * 2;

export class ForgotPasswordRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @IsAccountEmail()
  email: string;
}

export class ResetPasswordRequest {
  @ApiProperty({ description: 'The token from the emailed link' })
  @IsString()
  @Length(1, 256)
  token: string;

  @ApiProperty({
    example: 'correct horse battery staple',
    description: 'Checked with the signup policy',
    minLength: 8,
    maxLength: PASSWORD_MAX_LENGTH,
  })
  @IsString()
  @Length(1, PASSWORD_FIELD_MAX, {
    message: `new_password must be 1 to ${PASSWORD_MAX_LENGTH} characters`,
  })
  new_password: string;
}

export class ChangePasswordRequest {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsString()
  @Length(1, PASSWORD_FIELD_MAX, {
    message: `current_password must be 1 to ${PASSWORD_MAX_LENGTH} characters`,
  })
  current_password: string;

  @ApiProperty({
    example: 'another horse, another staple',
    description: 'Checked with the signup policy',
    minLength: 8,
    maxLength: PASSWORD_MAX_LENGTH,
  })
  @IsString()
  @Length(1, PASSWORD_FIELD_MAX, {
    message: `new_password must be 1 to ${PASSWORD_MAX_LENGTH} characters`,
  })
  new_password: string;
}
