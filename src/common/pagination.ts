import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const PAGE_DEFAULT = 20;
export const PAGE_MAX = 100;
const LIMIT_MESSAGE = `limit must be an integer from 1 to ${PAGE_MAX}`;

/** Digits become a number for the validators; anything else stays as given and is refused. */
const toInteger = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;

/** `?limit=` of a cursor-paginated listing. */
export class PageLimitQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: PAGE_MAX, default: PAGE_DEFAULT })
  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(PAGE_MAX, { message: LIMIT_MESSAGE })
  limit?: number;
}
