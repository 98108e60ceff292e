import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { CryptoService } from '../common/crypto.service';
import { Errors } from '../common/errors';
import { keysConfig } from '../config/keys.config';
import { throttleConfig } from '../config/throttle.config';
import { CounterStore } from '../throttle/counter-store';

/** The name and secret of an HTTP Basic header (RFC 6749 2.3.1: each form-urlencoded). */
function basicCredentials(header: string | undefined): { name: string; secret: string } | null {
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    const unescape = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { name: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

/**
 * Introspection clients: HTTP Basic credentials from INTROSPECTION_CLIENTS, compared in constant
 * time (an unknown name costs the same comparison), then a rate limit per client.
 */
@Injectable()
export class IntrospectionClientGuard implements CanActivate {
  private readonly clients: Map<string, string>;
  private readonly decoy: string;

  constructor(
    private readonly crypto: CryptoService,
    private readonly counters: CounterStore,
    @Inject(keysConfig.KEY) keys: ConfigType<typeof keysConfig>,
    @Inject(throttleConfig.KEY) private readonly throttle: ConfigType<typeof throttleConfig>,
  ) {
    this.clients = new Map(keys.introspectionClients.map((client) => [client.name, client.secret]));
    this.decoy = crypto.randomToken();
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const credentials = basicCredentials(request.headers.authorization);
    const expected = credentials ? this.clients.get(credentials.name) : undefined;
    const matches = this.crypto.safeEqual(
      this.crypto.sha256(credentials?.secret ?? ''),
      this.crypto.sha256(expected ?? this.decoy),
    );
    if (!credentials || expected === undefined || !matches) throw Errors.invalidClient();
    if (this.throttle.enabled) {
      const { limit, windowSeconds } = this.throttle.introspectPerClient;
      const hit = await this.counters.hit(`introspect:${credentials.name}`, windowSeconds * 1000);
      if (hit.count > limit)
        throw Errors.tooManyRequests(Math.max(1, Math.ceil(hit.resetMs / 1000)));
    }
    return true;
  }
}
