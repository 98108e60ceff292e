import type { ArgumentMetadata } from '@nestjs/common';
import { DomainError } from '../../common/errors';
import { createValidationPipe } from '../../common/validation';
import { ChangePasswordRequest, ForgotPasswordRequest, ResetPasswordRequest } from './password.dto';

const pipe = createValidationPipe();

function validate(metatype: ArgumentMetadata['metatype'], value: unknown): Promise<unknown> {
  return pipe.transform(value, { type: 'body', metatype });
}

async function fieldsRefused(metatype: ArgumentMetadata['metatype'], value: unknown) {
  try {
    await validate(metatype, value);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('VALIDATION_FAILED');
    return ((error as DomainError).extra.errors ?? []).map((e) => e.field);
  }
  throw new Error('expected the body to be refused');
}

describe('password request bodies', () => {
  it('trims and lower-cases the forgot email', async () => {
    await expect(validate(ForgotPasswordRequest, { email: '  Ada@Example.COM ' })).resolves.toEqual(
      { email: 'ada@example.com' },
    );
  });

  it('refuses unknown fields and wrong types', async () => {
    expect(await fieldsRefused(ForgotPasswordRequest, { email: 'a@example.com', x: 1 })).toEqual([
      'x',
    ]);
    expect(await fieldsRefused(ResetPasswordRequest, { token: 1, new_password: [] })).toEqual(
      expect.arrayContaining(['token', 'new_password']),
    );
    expect(
      await fieldsRefused(ChangePasswordRequest, { current_password: null, new_password: {} }),
    ).toEqual(expect.arrayContaining(['current_password', 'new_password']));
  });

  it('bounds the length of tokens and passwords', async () => {
    const password = 'Quiet-Lantern-Orbit-42';
    await expect(
      validate(ResetPasswordRequest, { token: 'a'.repeat(256), new_password: password }),
    ).resolves.toBeInstanceOf(ResetPasswordRequest);
    expect(
      await fieldsRefused(ResetPasswordRequest, { token: 'a'.repeat(257), new_password: password }),
    ).toEqual(['token']);
    expect(
      await fieldsRefused(ChangePasswordRequest, {
        current_password: password,
        new_password: 'p'.repeat(257),
      }),
    ).toEqual(['new_password']);
    // 128 emoji are 256 UTF-16 units: long for the field limit, but the policy decides.
    await expect(
      validate(ChangePasswordRequest, {
        current_password: password,
        new_password: '🔑'.repeat(128),
      }),
    ).resolves.toBeInstanceOf(ChangePasswordRequest);
  });
});
