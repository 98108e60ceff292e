import { createHash } from 'node:crypto';
import {
  canonicalContent,
  chainHash,
  ChainedContent,
  ChainedRow,
  findBreak,
  GENESIS_HASH,
} from './audit-chain';

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

const content = (i: number): ChainedContent => ({
  userId: i % 2 ? '7b0c1a52-55b4-4a55-9d43-2b1b1f0c9a10' : null,
  action: i % 2 ? 'login' : 'login.failed',
  outcome: i % 2 ? 'success' : 'failure',
  ip: '203.0.113.7',
  userAgent: 'spec/1.0',
  requestId: `req-${i}`,
  meta: i % 2 ? '{"forced":false}' : null,
  createdAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 5, i)),
});

function chain(length: number, firstPrev = GENESIS_HASH): ChainedRow[] {
  const rows: ChainedRow[] = [];
  let prevHash = firstPrev;
  for (let i = 1; i <= length; i += 1) {
    const hash = chainHash(sha256, prevHash, content(i));
    rows.push({ ...content(i), id: i, prevHash, hash });
    prevHash = hash;
  }
  return rows;
}

describe('audit hash chain', () => {
  it('hashes a fixed, readable form of the content, with the time in UTC milliseconds', () => {
    expect(canonicalContent(content(1))).toBe(
      '{"user_id":"7b0c1a52-55b4-4a55-9d43-2b1b1f0c9a10","action":"login","outcome":"success",' +
        '"ip":"203.0.113.7","user_agent":"spec/1.0","request_id":"req-1",' +
        '"meta":"{\\"forced\\":false}","created_at":"2025-01-02T03:04:05.001Z"}',
    );
    expect(chainHash(sha256, GENESIS_HASH, content(1))).toBe(
      sha256(GENESIS_HASH + canonicalContent(content(1))),
    );
  });

  it('covers actor_id only when set, so rows from before the column keep their hash', () => {
    const before = content(1);
    expect(canonicalContent({ ...before, actorId: null })).toBe(canonicalContent(before));
    const acted = { ...before, actorId: '0d4e2a3c-1b5f-4a7e-9c8d-6f1e2d3c4b5a' };
    expect(canonicalContent(acted)).toContain(
      '"user_id":"7b0c1a52-55b4-4a55-9d43-2b1b1f0c9a10","actor_id":"0d4e2a3c-',
    );
    expect(chainHash(sha256, GENESIS_HASH, acted)).not.toBe(
      chainHash(sha256, GENESIS_HASH, before),
    );
  });

  it('finds nothing wrong in an intact chain', () => {
    expect(findBreak(sha256, chain(5), null)).toBeNull();
    expect(findBreak(sha256, chain(5), GENESIS_HASH)).toBeNull();
  });

  it.each([
    ['outcome', { outcome: 'failure' }],
    ['meta', { meta: '{"forced":true}' }],
    ['user id', { userId: null }],
    ['actor id (set)', { actorId: '0d4e2a3c-1b5f-4a7e-9c8d-6f1e2d3c4b5a' }],
    ['time', { createdAt: new Date(Date.UTC(2025, 0, 2, 3, 4, 6, 0)) }],
    ['hash', { hash: 'f'.repeat(64) }],
  ])('names a row whose %s was edited', (_what, edit) => {
    const rows = chain(5);
    rows[2] = { ...rows[2], ...edit };
    expect(findBreak(sha256, rows, null)).toEqual({ id: 3, reason: 'content' });
  });

  it('names the row after a deleted one', () => {
    const rows = chain(5);
    rows.splice(2, 1);
    expect(findBreak(sha256, rows, null)).toEqual({ id: 4, reason: 'link' });
  });

  it('names a row recomputed with a forged predecessor (a rewritten tail)', () => {
    const rows = chain(5);
    const forgedPrev = 'e'.repeat(64);
    rows[3] = { ...rows[3], prevHash: forgedPrev, hash: chainHash(sha256, forgedPrev, rows[3]) };
    expect(findBreak(sha256, rows, null)).toEqual({ id: 4, reason: 'link' });
  });

  it('trusts the prev_hash of the oldest remaining row (older rows purged)', () => {
    const purged = chain(6).slice(3);
    expect(purged[0].prevHash).not.toBe(GENESIS_HASH);
    expect(findBreak(sha256, purged, null)).toBeNull();
  });

  it('checks a batch against the hash of the row before it', () => {
    const rows = chain(6);
    expect(findBreak(sha256, rows.slice(3), rows[2].hash)).toBeNull();
    expect(findBreak(sha256, rows.slice(3), rows[1].hash)).toEqual({ id: 4, reason: 'link' });
  });
});
