import { ApiProperty } from '@nestjs/swagger';
import { IsBoundedString } from '../../common/validation';
import { IsAccountEmail } from '../../users/dto/account-email.decorator';

export class SendVerificationRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @IsAccountEmail()
  email: string;
}

export class ConfirmVerificationRequest {
  @ApiProperty({ description: 'The token from the emailed link' })
  @IsBoundedString(1, 256)
  token: string;
}
