import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { Transform } from 'class-transformer';
import { trimLower } from '../../common/transforms';

export class SendVerificationRequest {
  @ApiProperty({ example: 'ada@example.com' })
  @Transform(trimLower)
  @IsEmail({ allow_utf8_local_part: false }, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;
}

export class ConfirmVerificationRequest {
  @ApiProperty({ description: 'The token from the emailed link' })
  @IsString()
  @Length(1, 256)
  token: string;
}
