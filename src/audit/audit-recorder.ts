import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clientInfoOf } from '../common/client-info';
import type { AuthenticatedSession } from '../common/current-session';
import { AuditFacts, AuditMeta, AuditOutcome, Errors } from '../common/errors';
import { answeredProblemOf } from '../common/problem-details.filter';
import { codeForStatus } from '../common/problem-details';
import { AuditEntry, AuditService } from './audit.service';

declare module 'fastify' {
  /** Set by @Audit() through the Fastify route config (see audit.interceptor.ts). */
  interface FastifyContextConfig {
    auditAction?: string;
    /** The caller acts on another account (an admin route): see AuditRecorder.record. */
    auditActor?: boolean;
  }
}

const AUDIT_RETRY_AFTER_SECONDS = 5;
/** The account id of an admin route's path, when it has the shape of one (else it is not kept). */
const ACCOUNT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * DESIGN names a failed login `login.failed`, and a failed social sign-in (callback or exchange)
 * `oauth.failed`; other actions keep their name and say `failure`.
 */
const FAILED_ACTION: Record<string, string> = {
  login: 'login.failed',
  'oauth.callback': 'oauth.failed',
  'oauth.login': 'oauth.failed',
};

export interface AuditResult {
  outcome: AuditOutcome;
  status?: number;
  code?: string;
}

/**
 * Writes the audit rows of one call of an @Audit handler: its own event, success or failure,
 * plus the further events it reported. A success is never answered without its rows: when they
 * cannot be written the request fails with 503. A refusal keeps its answer, the failed write
 * is logged.
 *
 * Successes come from the AuditInterceptor. Failures come from one onSend hook, from the problem
 * the request was answered with (status, code and what the error said it concerned): that covers
 * calls refused before the handler ran (a guard, a pipe) as well as by it. Rate-limit refusals
 * (429) are not written: they happen before any account is looked at, and writing each would
 * turn a flood into serialised database writes. Nor are refusals because the database is away
 * (503 SERVICE_UNAVAILABLE): the write would fail too, after holding the answer back.
 */
@Injectable()
export class AuditRecorder implements OnModuleInit {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly audit: AuditService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onSend', async (request, reply, payload) => {
      const action = request.routeOptions?.config?.auditAction;
      const status = reply.statusCode;
      if (typeof action === 'string' && status >= 400 && status !== 429) {
        const problem = answeredProblemOf(request);
        const code = problem?.code ?? codeForStatus(status);
        if (code === 'SERVICE_UNAVAILABLE') return payload;
        await this.record(request, action, { outcome: 'failure', status, code }, problem?.facts);
      }
      return payload;
    });
  }

  async record(
    request: FastifyRequest,
    action: string,
    result: AuditResult,
    facts: AuditFacts = {},
  ): Promise<void> {
    const client = clientInfoOf(request);
    const session = sessionOf(request);
    // On an actor route the caller (an admin) is the actor, and the row concerns the account
    // the call was about: the one the handler named, else the one in the path, else none.
    const actorId = request.routeOptions?.config?.auditActor ? (session?.userId ?? null) : null;
    const userId = actorId
      ? (facts.userId ?? targetOf(request))
      : (facts.userId ?? session?.userId ?? null);
    const origin = { ip: client.ip, userAgent: client.userAgent, requestId: client.requestId };
    const failed = result.outcome === 'failure';
    const meta: AuditMeta = {
      ...(session ? { session_id: session.sessionId } : {}),
      ...facts.meta,
      ...(failed ? { status: result.status ?? null, code: result.code ?? null } : {}),
    };
    const entries: AuditEntry[] = [
      {
        ...origin,
        userId,
        actorId,
        action: failed ? (FAILED_ACTION[action] ?? action) : action,
        outcome: result.outcome,
        meta,
      },
      ...(facts.events ?? []).map((event) => ({
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
      if (!failed) throw Errors.serviceUnavailable(AUDIT_RETRY_AFTER_SECONDS);
    }
  }
}

function targetOf(request: FastifyRequest): string | null {
  const id = (request.params as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && ACCOUNT_ID.test(id) ? id.toLowerCase() : null;
}

/** The session the session guard let through, if the route needs one. */
function sessionOf(
  request: FastifyRequest,
): Pick<AuthenticatedSession, 'userId' | 'sessionId'> | null {
  const user = (request as { user?: Partial<AuthenticatedSession> }).user;
  return typeof user?.userId === 'string' && typeof user.sessionId === 'string'
    ? { userId: user.userId, sessionId: user.sessionId }
    : null;
}
