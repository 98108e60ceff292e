import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiPublic } from '../common/api-docs';
import { Public } from '../common/public.decorator';
import { keysConfig } from '../config/keys.config';
import { JwksResponse } from './dto/jwks.response';
import { KeyRing } from './key-ring';

@ApiTags('keys')
@Controller('.well-known')
export class JwksController {
  private readonly cacheControl: string;

  constructor(
    private readonly keys: KeyRing,
    @Inject(keysConfig.KEY) config: ConfigType<typeof keysConfig>,
  ) {
    this.cacheControl = `public, max-age=${config.jwksMaxAgeSeconds}`;
  }

  @Get('jwks.json')
  @Public()
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiOkResponse({
    type: JwksResponse,
    description: 'The JSON Web Key Set: public keys only, never a symmetric key',
    headers: {
      'Cache-Control': {
        description: 'public, max-age=JWKS_MAX_AGE: how long a client may keep the key set',
        schema: { type: 'string', example: 'public, max-age=600' },
      },
    },
  })
  @ApiPublic({ summary: 'The public keys that verify access tokens (JWKS, RFC 7517)' })
  jwks(@Res({ passthrough: true }) reply: FastifyReply): JwksResponse {
    // Cacheable, unlike every other answer (no-store): clients may keep it JWKS_MAX_AGE seconds.
    void reply.header('Cache-Control', this.cacheControl);
    return { keys: this.keys.jwks };
  }
}
