import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
  @ApiOkResponse({ type: JwksResponse })
  @ApiPublic({ summary: 'The public keys that verify access tokens (JWKS, RFC 7517)' })
  jwks(): JwksResponse {
    return { keys: this.keys.jwks };
  }
}
