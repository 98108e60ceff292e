import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisConnection, withinCommandTimeout } from '../redis/redis.module';
import { isRoleName } from '../roles/roles';
import { LAST_SEEN_RESOLUTION_MS, SessionSnapshot, Tombstone } from './session-snapshot';

/** Active entries live at most this long, bounding staleness even in a partial partition. */
const ACTIVE_TTL_MS = 60_000;
const EPOCH_KEY = 'sess:epoch';

// The current epoch, the session's entry under it, and whether last_seen_at is due: at most
// once a minute per session across every instance (times come from the app's clock).
const READ = `
local epoch = redis.call('GET', KEYS[1]) or '0'
local now = tonumber(ARGV[1])
local entry = redis.call('GET', 'sess:' .. epoch .. ':' .. ARGV[2])
local due = 0
local seen = 0
if entry then
  seen = tonumber(redis.call('GET', 'sess:seen:' .. ARGV[2]) or '0')
  if now - seen >= ${LAST_SEEN_RESOLUTION_MS} then
    seen = now
    redis.call('SET', 'sess:seen:' .. ARGV[2], ARGV[1], 'PX', 3600000)
    due = 1
  end
end
return {epoch, entry, due, tostring(seen)}`;

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
  sessionRead(
    key: string,
    now: string,
    sessionId: string,
  ): Promise<[string, string | null, number, string]>;
  sessionFill(key: string, ...args: string[]): Promise<number>;
  sessionTombstone(key: string, ...args: string[]): Promise<string>;
};

export interface CacheRead {
  epoch: string;
  /** The session as Redis has it: an active snapshot, a tombstone, or null (a miss). */
  state: SessionSnapshot | Tombstone | null;
  /** last_seen_at should be written now (a minute has passed since the last write). */
  seenDue: boolean;
}

/**
 * The guard's exact hot copy of session state in Redis (only with REDIS_URL). The database stays
 * the source of truth. Exactness under races: a revocation writes a tombstone after its commit
 * (overwriting), a fill after a miss is SET NX in the epoch it read, so a fill can never undo a
 * revocation. If a tombstone cannot be written (Redis away), this instance stops trusting Redis
 * until it has bumped the epoch, which orphans every entry written before; each instance also
 * bumps after any outage of its own before reading Redis again. One script call per request;
 * ioredis's auto-pipelining sends the calls of one event-loop turn as one write.
 */
@Injectable()
export class SessionStateCache {
  private readonly client: ScriptedRedis | null;
  private trusted = true;
  /** Counts the times trust was lost: a bump only restores it if none happened meanwhile. */
  private distrusts = 0;
  private recovering: Promise<void> | null = null;

  constructor(private readonly redis: RedisConnection) {
    this.client = redis.client as ScriptedRedis | null;
    // Scripts run by SHA (EVALSHA), loaded once per connection.
    this.client?.defineCommand('sessionRead', { numberOfKeys: 1, lua: READ });
    this.client?.defineCommand('sessionFill', { numberOfKeys: 1, lua: FILL });
    this.client?.defineCommand('sessionTombstone', { numberOfKeys: 1, lua: TOMBSTONE });
    // A dropped connection may have hidden another instance's revocation: re-earn trust, and
    // do it as soon as the connection is back rather than on the next read.
    this.client?.on('close', () => this.forget());
    this.client?.on('ready', () => {
      if (!this.trusted) this.recovering ??= this.bumpEpoch();
    });
  }

  /** null: not usable now (no Redis, Redis away, or not trusted yet): read the database. */
  async read(sessionId: string): Promise<CacheRead | null> {
    if (!this.client || !this.redis.available || !this.usable()) return null;
    const distrustsBefore = this.distrusts;
    try {
      const [epoch, raw, due, seen] = await withinCommandTimeout(
        this.client.sessionRead(EPOCH_KEY, String(Date.now()), sessionId),
      );
      // A tombstone missed since this read went out: do not trust what it brought.
      if (this.distrusts !== distrustsBefore) return null;
      const state = raw === null ? null : decode(sessionId, raw, new Date(Number(seen)));
      return { epoch: String(epoch), state, seenDue: due === 1 };
    } catch (error) {
      this.distrust(error);
      return null;
    }
  }

  async fill(epoch: string, snapshot: SessionSnapshot): Promise<void> {
    if (!this.client || !this.redis.available || !this.usable()) return;
    const ttl = ttlFor(snapshot);
    if (ttl <= 0) return;
    try {
      await withinCommandTimeout(
        this.client.sessionFill(
          EPOCH_KEY,
          epoch,
          snapshot.id,
          encode(snapshot),
          String(Math.min(ttl, ACTIVE_TTL_MS)),
          String(snapshot.lastSeenAt.getTime()),
        ),
      );
    } catch (error) {
      this.distrust(error);
    }
  }

  /**
   * After a revocation has committed: every instance refuses these sessions from now on. With
   * Redis away it is not even tried (no second timeout in the same request): this instance
   * stops trusting Redis instead, and its next epoch bump, which comes after this commit,
   * orphans any entry that still says active.
   */
  async tombstone(ended: Array<Tombstone & { sessionId: string }>): Promise<void> {
    if (!this.client || ended.length === 0) return;
    if (!this.redis.available) {
      this.forget();
      return;
    }
    const args = ended.flatMap((state) => [
      state.sessionId,
      encode(state),
      String(Math.max(1000, ttlFor(state))),
    ]);
    try {
      await withinCommandTimeout(this.client.sessionTombstone(EPOCH_KEY, ...args));
    } catch (error) {
      this.distrust(error);
    }
  }

  /**
   * After a change to what active sessions carry (an account's roles) has committed: bumps the
   * epoch, which orphans every entry, so every instance reads its sessions from the database
   * once more on their next request; a fill started before the bump is refused (it carries the
   * old epoch). Role changes are rare admin acts: the bump costs one database read per active
   * session, spread over their next requests. With Redis away this instance stops trusting it
   * and bumps once it is back (as after a lost tombstone).
   */
  async invalidateAll(): Promise<void> {
    if (!this.client) return;
    if (!this.redis.available) {
      this.forget();
      return;
    }
    try {
      await withinCommandTimeout(this.client.incr(EPOCH_KEY));
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
    this.forget();
  }

  private forget(): void {
    this.trusted = false;
    this.distrusts += 1;
  }

  /** Trusted again only if nothing was lost while the INCR was on its way (else bump again). */
  private async bumpEpoch(): Promise<void> {
    const distrustsBefore = this.distrusts;
    try {
      if (this.client) await withinCommandTimeout(this.client.incr(EPOCH_KEY));
      if (this.distrusts === distrustsBefore) this.trusted = true;
    } catch {
      // still away; the next read tries again
    } finally {
      this.recovering = null;
    }
  }
}

function ttlFor(state: { expiresAt: Date }): number {
  return state.expiresAt.getTime() - Date.now();
}

/**
 * Tombstones carry the state only; active entries the whole snapshot but last_seen_at. An
 * entry without amr or roles (written before they were kept) reads as a miss.
 */
function encode(state: Tombstone | SessionSnapshot): string {
  const active = state.status === 'active' ? (state as SessionSnapshot) : null;
  return JSON.stringify([
    state.status,
    state.userId,
    state.expiresAt.getTime(),
    active?.createdAt.getTime() ?? null,
    active?.ip ?? null,
    active?.userAgent ?? null,
    active?.amr ?? null,
    active?.roles ?? null,
  ]);
}

function decode(id: string, raw: string, lastSeenAt: Date): SessionSnapshot | Tombstone | null {
  try {
    const [status, userId, expires, created, ip, userAgent, amr, roles] = JSON.parse(raw) as [
      SessionSnapshot['status'],
      string,
      number,
      number | null,
      string | null,
      string | null,
      string | null | undefined,
      unknown,
    ];
    const expiresAt = new Date(expires);
    if (status !== 'active') return { status, userId, expiresAt };
    // Not a full entry (or one from before amr and roles were kept): read the database.
    if (created === null || typeof amr !== 'string') return null;
    if (!Array.isArray(roles) || !roles.every(isRoleName)) return null;
    return {
      id,
      status,
      userId,
      expiresAt,
      createdAt: new Date(created),
      lastSeenAt,
      ip,
      userAgent,
      amr,
      roles,
    };
  } catch {
    return null; // an entry in an older format: read the database
  }
}
