import type { TransformFnParams } from 'class-transformer';

/** Trims and lower-cases strings; leaves anything else for the validators to refuse. */
export const trimLower = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;
