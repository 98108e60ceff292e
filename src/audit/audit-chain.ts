/**
 * The audit table is a hash chain: each row stores the previous row's hash and
 * SHA-256(prev_hash + canonical content). Editing, inserting or deleting a row in the middle
 * breaks the link at the next row. Pure functions, so the service, the verify script and the
 * unit specs share one definition.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** What a row's hash covers: everything but its id and the hashes themselves. */
export interface ChainedContent {
  userId: string | null;
  /** Covered only when set: rows from before the column existed keep their hashes. */
  actorId?: string | null;
  action: string;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  meta: string | null;
  createdAt: Date;
}

export interface ChainedRow extends ChainedContent {
  id: number;
  prevHash: string;
  hash: string;
}

export type Sha256 = (value: string) => string;

/**
 * Fixed key order; the time as an ISO string with milliseconds, which both databases store
 * exactly (datetime(3), UTC) and give back as the same Date. `actor_id` is there only when set,
 * so a row without one hashes as rows did before the column was added, and setting or clearing
 * it on any row breaks that row's hash.
 */
export function canonicalContent(row: ChainedContent): string {
  return JSON.stringify({
    user_id: row.userId,
    ...(row.actorId ? { actor_id: row.actorId } : {}),
    action: row.action,
    outcome: row.outcome,
    ip: row.ip,
    user_agent: row.userAgent,
    request_id: row.requestId,
    meta: row.meta,
    created_at: row.createdAt.toISOString(),
  });
}

export function chainHash(sha256: Sha256, prevHash: string, row: ChainedContent): string {
  return sha256(prevHash + canonicalContent(row));
}

export type ChainBreak = { id: number; reason: 'content' | 'link' };

/**
 * Checks a run of rows in id order. `expectedPrev` is the hash of the row before the run, or
 * null at the oldest remaining row, whose prev_hash is trusted (older rows may have been purged).
 */
export function findBreak(
  sha256: Sha256,
  rows: readonly ChainedRow[],
  expectedPrev: string | null,
): ChainBreak | null {
  let previous = expectedPrev;
  for (const row of rows) {
    if (previous !== null && row.prevHash !== previous) return { id: row.id, reason: 'link' };
    if (chainHash(sha256, row.prevHash, row) !== row.hash) return { id: row.id, reason: 'content' };
    previous = row.hash;
  }
  return null;
}
