import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsBoundedString } from '../../common/validation';
import { IsPasswordField } from '../../users/password-field';

export class DeleteAccountRequest {
  /** The account's current password: deletion cannot be undone. */
  @IsPasswordField()
  password: string;

  @ApiPropertyOptional({
    example: '123456',
    description:
      'Required while two-factor login is on: a code from the authenticator app or a recovery code (spent)',
  })
  @IsOptional()
  @IsBoundedString(6, 64)
  code?: string;
}
