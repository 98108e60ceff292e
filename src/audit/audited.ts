import type { AuditFacts } from '../common/errors';

/** A handler's answer together with what the request concerned, for the audit interceptor. */
export class Audited<T> {
  constructor(
    readonly body: T,
    readonly facts: AuditFacts,
  ) {}
}

export function audited<T>(body: T, facts: AuditFacts): Audited<T> {
  return new Audited(body, facts);
}
