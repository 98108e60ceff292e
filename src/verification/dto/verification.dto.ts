import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IsAccountEmail } from '../../users/dto/account-email.decorator';

export class SendVerificationRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @IsAccountEmail()
  email: string;
}

export class ConfirmVerificationRequest {
  @ApiProperty({ description: 'The token from the emailed link' })
  @IsString()
  @Length(1, 256)
  token: string;
}
