import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientInfoOf } from '../common/client-info';
import { codeForStatus, PROBLEM_CONTENT_TYPE } from '../common/problem-details';
import { AUDIT_ACTION, AuditOutcome, trailOf } from './audit-trail';
import { AuditEntry, AuditService } from './audit.service';

declare module 'fastify' {
  /** Set by @Audit() through the Fastify route config (see audit.interceptor.ts). */
  interface FastifyContextConfig {
    [AUDIT_ACTION]?: string;
  }
}

/** DESIGN names a failed login `login.failed`; other actions keep their name and say `failure`. */
const FAILED_ACTION: Record<string, string> = { login: 'login.failed' };

export interface AuditResult {
  outcome: AuditOutcome;
  status?: number;
  code?: string;
}

/**
 * Writes the audit rows of one call of an @Audit handler: its own event, success or failure,
 * plus the extra events it reported on its trail. A failed write is logged and never changes
 * the answer. One instance for the app (the interceptors of every module share it).
 *
 * Guards run before interceptors, so a call refused by a guard (the credential check of a
 * login, a missing bearer token) never reaches the interceptor; an onSend hook on the Fastify
 * instance writes those from the answer's status and problem code. Rate-limit refusals (429)
 * are not written: they happen before any account is looked at, and writing each would turn a
 * flood into serialised database writes.
 */
@Injectable()
export class AuditRecorder implements OnModuleInit {
  private readonly logger = new Logger('Audit');
  private readonly recorded = new WeakSet<object>();

  constructor(
    private readonly audit: AuditService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onSend', async (request, reply, payload) => {
      const action = request.routeOptions?.config?.auditAction;
      if (
        typeof action === 'string' &&
        !this.recorded.has(request) &&
        reply.statusCode >= 400 &&
        reply.statusCode !== 429
      ) {
        await this.record(request, action, {
          outcome: 'failure',
          status: reply.statusCode,
          code: problemCodeOf(reply, payload) ?? codeForStatus(reply.statusCode),
        });
      }
      return payload;
    });
  }

  async record(request: FastifyRequest, action: string, result: AuditResult): Promise<void> {
    this.recorded.add(request);
    const trail = trailOf(request);
    const client = clientInfoOf(request);
    const userId = trail.userId ?? sessionUserOf(request);
    const origin = { ip: client.ip, userAgent: client.userAgent, requestId: client.requestId };
    const failed = result.outcome === 'failure';
    const entries: AuditEntry[] = [
      {
        ...origin,
        userId,
        action: failed ? (FAILED_ACTION[action] ?? action) : action,
        outcome: result.outcome,
        meta: failed ? { ...trail.meta, status: result.status, code: result.code } : trail.meta,
      },
      ...trail.extra.map((event) => ({
        ...origin,
        userId: event.userId ?? userId,
        action: event.action,
        outcome: event.outcome,
        meta: event.meta ?? null,
      })),
    ];
    try {
      await this.audit.append(entries);
    } catch (error) {
      this.logger.error(
        { err: error, actions: entries.map((entry) => entry.action), requestId: client.requestId },
        'Could not write the audit trail',
      );
    }
  }
}

/** The user of the authenticated session, as the session guard attached it. */
function sessionUserOf(request: FastifyRequest): string | null {
  const user = (request as { user?: { userId?: unknown } }).user;
  return typeof user?.userId === 'string' ? user.userId : null;
}

/** The `code` of our own problem-details answer, for calls refused before the handler ran. */
function problemCodeOf(reply: FastifyReply, payload: unknown): string | undefined {
  const type = reply.getHeader('content-type');
  if (typeof payload !== 'string' || typeof type !== 'string') return undefined;
  if (!type.startsWith(PROBLEM_CONTENT_TYPE)) return undefined;
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
