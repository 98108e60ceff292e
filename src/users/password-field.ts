import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, ValidateBy } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from './password-policy';

/**
 * A password in a request body: a string of 1 to 128 characters (code points, as the policy
 * counts them). Longer ones are refused here, before any argon2 work is spent on them.
 */
export const IsPasswordField = () =>
  applyDecorators(
    IsString(),
    ApiProperty({ type: String, minLength: 1, maxLength: PASSWORD_MAX_LENGTH }),
    ValidateBy({
      name: 'passwordLength',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          const length = [...value].length;
          return length >= 1 && length <= PASSWORD_MAX_LENGTH;
        },
        defaultMessage: (args) =>
          `${args?.property} must be 1 to ${PASSWORD_MAX_LENGTH} characters`,
      },
    }),
  );
