import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsPasswordField } from '../../users/password-field';
import { PASSWORD_MAX_LENGTH } from '../../users/password-policy';
import { IsAccountEmail } from '../../users/dto/account-email.decorator';

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
  @IsPasswordField()
  new_password: string;
}

export class ChangePasswordRequest {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsPasswordField()
  current_password: string;

  @ApiProperty({
    example: 'another horse, another staple',
    description: 'Checked with the signup policy',
    minLength: 8,
    maxLength: PASSWORD_MAX_LENGTH,
  })
  @IsPasswordField()
  new_password: string;
}
