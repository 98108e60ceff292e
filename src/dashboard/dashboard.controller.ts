import {
  Controller,
  Get,
  NotFoundException,
  Param,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Public } from '../common/public.decorator';

/**
 * The dashboard's own policy, stricter than the API's: no inline script or style, nothing from
 * another origin; images from data: URLs only for the two-factor QR code.
 */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/** dist/web, as scripts/build-web.js writes it: from dist/src/dashboard or from src/dashboard. */
const ROOT = join(__dirname, '..', '..');
export const DASHBOARD_DIR =
  basename(ROOT) === 'dist' ? join(ROOT, 'web') : join(ROOT, 'dist', 'web');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

interface Bundle {
  index: string;
  assets: Map<string, Buffer>;
}

/**
 * Serves the account dashboard (web/, built into dist/web by `npm run build`): index.html for
 * /app and every /app/<route> (the pages route in the browser), and its hashed assets, cached
 * for a year since a new build gives them new names.
 */
@ApiExcludeController()
@Public()
@Controller('app')
export class DashboardController {
  private bundle?: Bundle;

  @Get()
  index(@Res({ passthrough: true }) reply: FastifyReply): string {
    const { index } = this.load();
    void reply
      .type('text/html; charset=utf-8')
      .header('Content-Security-Policy', DASHBOARD_CSP)
      .header('Cache-Control', 'no-cache');
    return index;
  }

  @Get('assets/:name')
  asset(@Param('name') name: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    const body = this.load().assets.get(name);
    if (!body) throw new NotFoundException('No such asset');
    void reply
      .type(TYPES[extname(name)])
      .header('Content-Security-Policy', DASHBOARD_CSP)
      .header('Cache-Control', 'public, max-age=31536000, immutable');
    return body;
  }

  @Get('*')
  route(@Res({ passthrough: true }) reply: FastifyReply): string {
    return this.index(reply);
  }

  /** Read once: the files do not change while the service runs. */
  private load(): Bundle {
    if (this.bundle) return this.bundle;
    const indexPath = join(DASHBOARD_DIR, 'index.html');
    if (!existsSync(indexPath)) {
      throw new ServiceUnavailableException('The dashboard is not built; run npm run build');
    }
    const assets = new Map<string, Buffer>();
    for (const name of readdirSync(join(DASHBOARD_DIR, 'assets'))) {
      if (TYPES[extname(name)]) assets.set(name, readFileSync(join(DASHBOARD_DIR, 'assets', name)));
    }
    this.bundle = { index: readFileSync(indexPath, 'utf8'), assets };
    return this.bundle;
  }
}
