import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A public signing key (RFC 7517); which members it has depends on `kty`. */
export class JwkResponse {
  @ApiProperty({ enum: ['EC', 'OKP', 'RSA'], example: 'EC' })
  kty: string;

  @ApiProperty({
    description: 'Key id: the RFC 7638 thumbprint of the key',
    example: 'kP0pS0bX2yC3cWmHq0vQ5n8Jb8QpX1Ea1x9q2m3n4o5',
  })
  kid: string;

  @ApiProperty({ enum: ['ES256', 'EdDSA', 'RS256'], example: 'ES256' })
  alg: string;

  @ApiProperty({ enum: ['sig'], example: 'sig' })
  use: string;

  @ApiPropertyOptional({ description: 'EC and OKP keys: the curve', enum: ['P-256', 'Ed25519'] })
  crv?: string;

  @ApiPropertyOptional({ description: 'EC and OKP keys: the x coordinate (base64url)' })
  x?: string;

  @ApiPropertyOptional({ description: 'EC keys: the y coordinate (base64url)' })
  y?: string;

  @ApiPropertyOptional({ description: 'RSA keys: the modulus (base64url)' })
  n?: string;

  @ApiPropertyOptional({ description: 'RSA keys: the exponent (base64url)', example: 'AQAB' })
  e?: string;
}

export class JwksResponse {
  @ApiProperty({
    type: [JwkResponse],
    description: 'The keys that verify access tokens: next, current and retired. Empty under HS*.',
  })
  keys: JwkResponse[];
}
