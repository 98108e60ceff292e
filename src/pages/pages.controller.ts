import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '../common/public.decorator';

const ASSETS: Record<string, string> = {
  'page.css': 'text/css; charset=utf-8',
  'pages.js': 'text/javascript; charset=utf-8',
};

/** Serves the two static files of the link pages; nothing else is reachable. */
@ApiExcludeController()
@Controller('assets')
export class PagesController {
  private readonly cache = new Map<string, string>();

  @Public()
  @Get(':name')
  @Header('Cache-Control', 'public, max-age=3600')
  asset(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    const type = ASSETS[name];
    if (!type) throw new NotFoundException('No such asset');
    void reply.type(type);
    let body = this.cache.get(name);
    if (body === undefined) {
      body = readFileSync(join(__dirname, 'assets', name), 'utf8');
      this.cache.set(name, body);
    }
    return body;
  }
}
