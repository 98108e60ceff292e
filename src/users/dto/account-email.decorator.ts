import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import { IsAscii, IsEmail, MaxLength } from 'class-validator';
import { normaliseEmail } from '../../common/email';

const EMAIL_MAX_LENGTH = 254;

/**
 * An account's email as every endpoint takes it: trimmed, lower-cased, a valid address with a
 * top-level domain, ASCII only (internationalised domains in their punycode form), so that
 * look-alike letters cannot pose as another address.
 */
export const IsAccountEmail = () =>
  applyDecorators(
    // Anything but a string is left for the validators to refuse.
    Transform(({ value }) =>
      typeof value === 'string' ? normaliseEmail(value) : (value as unknown),
    ),
    IsEmail(
      { allow_utf8_local_part: false, require_tld: true, allow_ip_domain: false },
      { message: 'email must be a valid email address' },
    ),
    IsAscii({ message: 'email must use ASCII characters (internationalised domains in punycode)' }),
    MaxLength(EMAIL_MAX_LENGTH),
    ApiProperty({ type: String, format: 'email', maxLength: EMAIL_MAX_LENGTH }),
  );
