import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

class FieldErrorResponse {
  @ApiProperty({ example: 'email' })
  field: string;

  @ApiProperty({ example: 'email must be an email' })
  message: string;
}

/** RFC 9457 problem details, as every error is answered (application/problem+json). */
export class ProblemResponse {
  @ApiProperty({ example: '/problems/session-active' })
  type: string;

  @ApiProperty({ example: 'Conflict' })
  title: string;

  @ApiProperty({ example: 409 })
  status: number;

  @ApiProperty({ example: 'Session already active' })
  detail: string;

  @ApiProperty({ example: 'SESSION_ACTIVE', description: 'Stable machine-readable code' })
  code: string;

  @ApiPropertyOptional({ example: '/auth/login' })
  instance?: string;

  @ApiPropertyOptional({ example: '5f0c6e0e-8a4b-4c36-9a53-1d1e0f7f2b8e' })
  request_id?: string;

  @ApiPropertyOptional({
    type: [FieldErrorResponse],
    description: 'Per-field reasons on validation failures',
  })
  errors?: FieldErrorResponse[];
}

export class MessageResponse {
  @ApiProperty({ example: 'success' })
  status: string;

  @ApiProperty()
  message: string;
}
