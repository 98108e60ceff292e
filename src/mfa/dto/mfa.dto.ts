import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IsBoundedString } from '../../common/validation';
import { IsPasswordField } from '../../users/password-field';
import { TOTP_CODE } from '../totp';

/** Six digits from the authenticator app, or a recovery code (`xxxx-xxxx-xxxx-xxxx-xxxx-xxxx`). */
export const SECOND_FACTOR_CODE = {
  description:
    'A 6-digit code from the authenticator app, or one of the recovery codes (spent when used)',
  example: '123456',
};

export class MfaPasswordRequest {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsPasswordField()
  password: string;
}

export class ConfirmTotpRequest {
  @ApiProperty({
    example: '123456',
    description: 'The code the authenticator app shows now',
    pattern: TOTP_CODE.source,
  })
  @IsString()
  @Matches(TOTP_CODE, { message: 'code must be 6 digits' })
  code: string;
}

/** The password and a second factor: turning two-factor login off, new recovery codes. */
export class MfaChangeRequest {
  @ApiProperty({ example: 'correct horse battery staple' })
  @IsPasswordField()
  password: string;

  @ApiProperty(SECOND_FACTOR_CODE)
  @IsBoundedString(6, 64)
  code: string;
}

export class TotpStatus {
  @ApiProperty({ example: true })
  enabled: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  enabled_at: string | null;
}

export class RecoveryCodesStatus {
  @ApiProperty({ example: 10, description: 'Unused recovery codes' })
  remaining: number;
}

export class MfaStatusResponse {
  @ApiProperty({ type: TotpStatus })
  totp: TotpStatus;

  @ApiProperty({ type: RecoveryCodesStatus })
  recovery_codes: RecoveryCodesStatus;
}

export class TotpSetupResponse {
  @ApiProperty({
    example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
    description: '160-bit secret, base32, for typing into an authenticator app',
  })
  secret: string;

  @ApiProperty({
    example:
      'otpauth://totp/auth.example.com:ada%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=auth.example.com',
  })
  otpauth_uri: string;

  @ApiProperty({ description: 'The otpauth URI as an SVG QR code' })
  qr_svg: string;
}

export class RecoveryCodesResponse {
  @ApiProperty({
    type: [String],
    example: ['7k2m-q9xd-4hvc-t8n3-pw6e-r1sb'],
    description: 'Ten single-use codes, shown this once',
  })
  recovery_codes: string[];
}
