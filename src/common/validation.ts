import {
  applyDecorators,
  ArgumentMetadata,
  Body,
  Injectable,
  Paramtype,
  PipeTransform,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { DomainError, Errors, FieldError, RequestPart } from './errors';

function fieldErrorsOf(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...fieldErrorsOf(error.children ?? [], field)];
  });
}

/**
 * A body Fastify could not read (malformed JSON, a media type we do not take). It is answered
 * when the route reads its body, after the guards: a protected route says 401 before 400 or 415.
 */
export class UnreadableBody {
  constructor(readonly error: DomainError) {}
}

/** The validators' reasons, before we know which part of the request they are about. */
class InvalidFields extends Error {
  constructor(readonly fields: FieldError[]) {
    super('invalid fields');
  }
}

const PARTS: Partial<Record<Paramtype, RequestPart>> = {
  body: 'body',
  query: 'query',
  param: 'path',
};

/** Whitelist + forbid unknown fields; one problem with every field's reason, naming the part. */
export class ProblemValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new InvalidFields(fieldErrorsOf(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && value instanceof UnreadableBody) throw value.error;
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (error) {
      if (error instanceof InvalidFields) {
        throw Errors.validation(error.fields, PARTS[metadata.type] ?? 'body');
      }
      throw error;
    }
  }
}

export function createValidationPipe(): ProblemValidationPipe {
  return new ProblemValidationPipe();
}

/** No body, or `{}`; any field is refused as every other route refuses it, so is unreadable JSON. */
export function assertNoBody(value: unknown): void {
  if (value === undefined) return;
  if (value instanceof UnreadableBody) throw value.error;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw Errors.validation([{ field: 'body', message: 'body must be a JSON object' }]);
  }
  const fields = Object.keys(value);
  if (fields.length > 0) {
    throw Errors.validation(
      fields.map((field) => ({ field, message: `property ${field} should not exist` })),
    );
  }
}

/** A route that takes no body: none, or `{}`. */
@Injectable()
class NoBodyPipe implements PipeTransform {
  transform(value: unknown): undefined {
    assertNoBody(value);
    return undefined;
  }
}

/** The body of a route that takes none; read after the guards, like every body. */
export const NoBody = () => Body(NoBodyPipe);

/** A string field of `min` to `max` characters; the document carries the same bounds. */
export const IsBoundedString = (min: number, max: number) =>
  applyDecorators(
    IsString(),
    Length(min, max),
    ApiProperty({ type: String, minLength: min, maxLength: max }),
  );
