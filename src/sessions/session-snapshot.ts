import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import { Repository } from 'typeorm';
import { rolesFromColumn, selectAssignedRoles } from '../roles/roles.service';
import type { RoleName } from '../roles/roles';
import { Session, SessionStatus } from './session.entity';

/** last_seen_at is written at most this often per session (across every instance with Redis). */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * What the guard knows about a session: its state, what GET /session/active shows, and its
 * account's roles as they are now (read with the session, cached with it, invalidated with it).
 */
export type SessionSnapshot = Pick<
  Session,
  'id' | 'userId' | 'status' | 'expiresAt' | 'createdAt' | 'lastSeenAt' | 'ip' | 'userAgent' | 'amr'
> & { roles: RoleName[] };

/** An ended session as the Redis copy remembers it: enough to refuse its tokens. */
export interface Tombstone {
  userId: string;
  status: Exclude<SessionStatus, 'active'>;
  expiresAt: Date;
}

/**
 * The guard's database read. The reads that arrive in one turn of the event loop go together
 * as one `id IN (...)` query (a DataLoader without a cache: each is answered from the row as it
 * is now). Under load that is one query for many requests. The batch waits for the turn to end
 * (setImmediate), not only for the current tick: requests arrive each in an I/O callback of
 * its own, so a tick holds one of them. The account's roles come in the same query (a
 * correlated subquery on user_roles): no second round trip.
 */
@Injectable()
export class SessionSnapshots {
  private readonly loader: DataLoader<string, SessionSnapshot | null>;

  constructor(@InjectRepository(Session) sessions: Repository<Session>) {
    this.loader = new DataLoader(
      async (ids) => {
        const query = sessions
          .createQueryBuilder('session')
          .where('session.id IN (:...ids)', { ids: [...ids] });
        const { entities, raw } = await selectAssignedRoles(
          query,
          'session.user_id',
          'session_roles',
        ).getRawAndEntities<{ session_id: string; session_roles: string | null }>();
        const roles = new Map(raw.map((row) => [row.session_id, row.session_roles]));
        return ids.map((id) => {
          const row = entities.find((entity) => entity.id === id);
          return row ? { ...row, roles: rolesFromColumn(roles.get(id)) } : null;
        });
      },
      { cache: false, maxBatchSize: 64, batchScheduleFn: (load) => setImmediate(load) },
    );
  }

  byId(sessionId: string): Promise<SessionSnapshot | null> {
    return this.loader.load(sessionId);
  }
}
