import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBasicAuth, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, BODY_PROBLEMS, STORE_PROBLEMS } from '../common/api-docs';
import { FORM_BODY } from '../common/form-body';
import { Public } from '../common/public.decorator';
import { IntrospectionResponse, IntrospectRequest } from './dto/introspection.dto';
import { IntrospectionClientGuard } from './introspection-client.guard';
import { IntrospectionService } from './introspection.service';

@ApiTags('keys')
@Controller('oauth')
export class IntrospectionController {
  constructor(private readonly introspection: IntrospectionService) {}

  /** Public to the session guard: its own guard checks the client's Basic credentials. */
  @Public()
  @Post('introspect')
  @HttpCode(HttpStatus.OK)
  @UseGuards(IntrospectionClientGuard)
  @RouteConfig({ [FORM_BODY]: true })
  @ApiOperation({
    summary: 'Whether an access token is live (RFC 7662), for resource servers',
    description:
      'For services that need revocation to apply at once rather than at `exp`. HTTP Basic ' +
      'credentials from INTROSPECTION_CLIENTS; throttled per client. `{active: false}` for any ' +
      'token that does not verify or whose session is no longer active, without saying why.',
  })
  @ApiBasicAuth('introspection-client')
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiProblems(...BODY_PROBLEMS, 'INVALID_CLIENT', 'TOO_MANY_REQUESTS', ...STORE_PROBLEMS)
  @ApiOkResponse({
    type: IntrospectionResponse,
    description: 'The token is live (all fields), or not ({active: false} alone)',
  })
  introspect(@Body() body: IntrospectRequest): Promise<IntrospectionResponse> {
    return this.introspection.introspect(body.token);
  }
}
