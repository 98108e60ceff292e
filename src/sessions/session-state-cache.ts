import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { TurnBatch } from '../common/turn-batch';
import { RedisConnection } from '../redis/redis.module';
import { LAST_SEEN_RESOLUTION_MS, SessionSnapshot } from './session-snapshot';
import type { SessionStatus } from './session.entity';

/** Tombstones carry the state only; entries filled from the database, the whole snapshot. */
export type CachedState = Pick<SessionSnapshot, 'userId' | 'status' | 'expiresAt'> &
  Partial<Pick<SessionSnapshot, 'createdAt' | 'ip' | 'userAgent'>>;

/** Active entries live at most this long, bounding staleness even in a partial partition. */
const ACTIVE_TTL_MS = 60_000;
const EPOCH_KEY = 'sess:epoch';

// One round trip for every read of one event-loop turn: the current epoch, then for each session
// its entry under that epoch and when it was last seen; last_seen_at is due at most once a
// minute per session across every instance (times come from the app's clock).
const READ = `
local epoch = redis.call('GET', KEYS[1]) or '0'
local now = tonumber(ARGV[1])
local out = {epoch}
for i = 2, #ARGV do
  local id = ARGV[i]
  local entry = redis.call('GET', 'sess:' .. epoch .. ':' .. id)
  local due = 0
  local seen = 0
  if entry then
    seen = tonumber(redis.call('GET', 'sess:seen:' .. id) or '0')
    if now - seen >= ${LAST_SEEN_RESOLUTION_MS} then
      seen = now
      redis.call('SET', 'sess:seen:' .. id, ARGV[1], 'PX', 3600000)
      due = 1
    end
  end
  out[#out + 1] = entry
  out[#out + 1] = due
  out[#out + 1] = tostring(seen)
end
return out`;

/** Most sessions one READ looks at (a busier turn takes several). */
const MAX_BATCH = 64;

// Fill only where no entry exists, and only in the epoch the database read started in; carry
// the last time the session was seen forward.
const FILL = `
local epoch = redis.call('GET', KEYS[1]) or '0'
if epoch ~= ARGV[1] then return 0 end
local seen = tonumber(redis.call('GET', 'sess:seen:' .. ARGV[2]) or '0')
if tonumber(ARGV[5]) > seen then redis.call('SET', 'sess:seen:' .. ARGV[2], ARGV[5], 'PX', 3600000) end
return redis.call('SET', 'sess:' .. epoch .. ':' .. ARGV[2], ARGV[3], 'PX', ARGV[4], 'NX') and 1 or 0`;

// Tombstones overwrite whatever is there, in the current epoch.
const TOMBSTONE = `
local epoch = redis.call('GET', KEYS[1]) or '0'
for i = 1, #ARGV, 3 do
  redis.call('SET', 'sess:' .. epoch .. ':' .. ARGV[i], ARGV[i + 1], 'PX', ARGV[i + 2])
end
return epoch`;

type ScriptedRedis = Redis & {
  /** The epoch, then entry, due (0 or 1) and last seen for each session id, in order. */
  sessionRead(
    key: string,
    now: string,
    ...sessionIds: string[]
  ): Promise<Array<string | number | null>>;
  sessionFill(key: string, ...args: string[]): Promise<number>;
  sessionTombstone(key: string, ...args: string[]): Promise<string>;
};

type Answer = (read: CacheRead | null) => void;

export interface CacheRead {
  epoch: string;
  state: CachedState | null;
  /** When the session was last seen, as far as Redis knows. */
  lastSeenAt: Date;
  /** last_seen_at should be written now (a minute has passed since the last write). */
  seenDue: boolean;
}

/**
 * The guard's exact hot copy of session state in Redis (only with REDIS_URL). The database stays
 * the source of truth. Exactness under races: a revocation writes a tombstone after its commit
 * (overwriting), a fill after a miss is SET NX in the epoch it read, so a fill can never undo a
 * revocation. If a tombstone cannot be written (Redis away), this instance stops trusting Redis
 * until it has bumped the epoch, which orphans every entry written before; each instance also
 * bumps after any outage of its own before reading Redis again.
 */
@Injectable()
export class SessionStateCache {
  private readonly client: ScriptedRedis | null;
  private trusted = true;
  private recovering: Promise<void> | null = null;
  private readonly batch = new TurnBatch<Answer>(MAX_BATCH, (ids, answers) => {
    // A failed tombstone since these reads came in: none of them may trust Redis now.
    if (this.usable()) void this.readBatch(ids, answers);
    else answerNothing(answers, ids);
  });

  constructor(private readonly redis: RedisConnection) {
    this.client = redis.client as ScriptedRedis | null;
    // Scripts run by SHA (EVALSHA), loaded once per connection.
    this.client?.defineCommand('sessionRead', { numberOfKeys: 1, lua: READ });
    this.client?.defineCommand('sessionFill', { numberOfKeys: 1, lua: FILL });
    this.client?.defineCommand('sessionTombstone', { numberOfKeys: 1, lua: TOMBSTONE });
    // A dropped connection may have hidden another instance's revocation: re-earn trust, and
    // do it as soon as the connection is back rather than on the next read.
    this.client?.on('close', () => {
      this.trusted = false;
    });
    this.client?.on('ready', () => {
      if (!this.trusted) this.recovering ??= this.bumpEpoch();
    });
  }

  /**
   * null: not usable now (no Redis, or not trusted yet): read the database. The reads of one
   * event-loop turn go to Redis together, as one script call (as the database reads do, see
   * SessionSnapshots), each answered from the entry as it is then. When one session is read
   * twice in a turn, only the first read is told that last_seen_at is due, as if one by one.
   */
  read(sessionId: string): Promise<CacheRead | null> {
    if (!this.client || !this.usable()) return Promise.resolve(null);
    return new Promise((resolve) => this.batch.add(sessionId, resolve));
  }

  private async readBatch(ids: string[], batch: Map<string, Answer[]>): Promise<void> {
    let reply: Array<string | number | null> | undefined;
    try {
      reply = await (this.client as ScriptedRedis).sessionRead(
        EPOCH_KEY,
        String(Date.now()),
        ...ids,
      );
    } catch (error) {
      this.distrust(error);
    }
    if (!reply) return answerNothing(batch, ids);
    const epoch = String(reply[0]);
    ids.forEach((id, index) => {
      const waiters = batch.get(id) ?? [];
      const [raw, due, seen] = reply.slice(1 + 3 * index, 4 + 3 * index);
      waiters.forEach((answer, nth) =>
        answer({
          epoch,
          // Each caller gets its own state: the guard builds its answer from it.
          state: typeof raw === 'string' ? decode(raw) : null,
          lastSeenAt: new Date(Number(seen)),
          seenDue: due === 1 && nth === 0,
        }),
      );
    });
  }

  async fill(epoch: string, snapshot: SessionSnapshot, seenAt: Date): Promise<void> {
    if (!this.client || !this.usable()) return;
    const ttl = ttlFor(snapshot);
    if (ttl <= 0) return;
    try {
      await this.client.sessionFill(
        EPOCH_KEY,
        epoch,
        snapshot.id,
        encode(snapshot),
        String(Math.min(ttl, ACTIVE_TTL_MS)),
        String(seenAt.getTime()),
      );
    } catch (error) {
      this.distrust(error);
    }
  }

  /** After a revocation has committed: every instance refuses these sessions from now on. */
  async tombstone(states: Array<{ sessionId: string } & CachedState>): Promise<void> {
    if (!this.client || states.length === 0) return;
    const args = states.flatMap((state) => [
      state.sessionId,
      encode(state),
      String(Math.max(1000, ttlFor(state))),
    ]);
    try {
      await this.client.sessionTombstone(EPOCH_KEY, ...args);
    } catch (error) {
      this.distrust(error);
    }
  }

  private usable(): boolean {
    if (this.trusted) return true;
    this.recovering ??= this.bumpEpoch();
    return false;
  }

  private distrust(error: unknown): void {
    this.redis.markDown(error);
    this.trusted = false;
  }

  private async bumpEpoch(): Promise<void> {
    try {
      await this.client?.incr(EPOCH_KEY);
      this.trusted = true;
    } catch {
      // still away; the next read tries again
    } finally {
      this.recovering = null;
    }
  }
}

/** Tells the reads of these sessions to use the database. */
function answerNothing(batch: Map<string, Answer[]>, ids: string[]): void {
  for (const id of ids) for (const answer of batch.get(id) ?? []) answer(null);
}

function ttlFor(state: CachedState): number {
  return state.expiresAt.getTime() - Date.now();
}

function encode(state: CachedState): string {
  return JSON.stringify([
    state.status,
    state.userId,
    state.expiresAt.getTime(),
    state.createdAt?.getTime() ?? null,
    state.ip ?? null,
    state.userAgent ?? null,
  ]);
}

function decode(raw: string): CachedState | null {
  try {
    const [status, userId, expires, created, ip, userAgent] = JSON.parse(raw) as [
      SessionStatus,
      string,
      number,
      number | null,
      string | null,
      string | null,
    ];
    return {
      status,
      userId,
      expiresAt: new Date(expires),
      createdAt: created === null ? undefined : new Date(created),
      ip,
      userAgent,
    };
  } catch {
    return null; // an entry in an older format: read the database
  }
}
