import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import { Transactions } from '../common/transactions';
import { effectiveRoles, IMPLICIT_ROLE, RoleName } from './roles';
import { UserRole } from './user-role.entity';

/**
 * Adds the roles assigned to the account whose id is `userIdColumn` to `query`'s raw results,
 * as `alias` (a comma-separated list, or null): one correlated subquery, so a read that needs
 * an account's roles costs no second round trip. GROUP_CONCAT is spelled alike by SQLite and
 * MySQL, and role names hold no comma.
 */
export function selectAssignedRoles<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  userIdColumn: string,
  alias: string,
): SelectQueryBuilder<T> {
  return query.addSelect(
    (sub) =>
      sub
        .select('GROUP_CONCAT(assigned.role)')
        .from(UserRole, 'assigned')
        .where(`assigned.user_id = ${userIdColumn}`),
    alias,
  );
}

/** The roles of an account, from what selectAssignedRoles read. */
export function rolesFromColumn(raw: unknown): RoleName[] {
  return effectiveRoles(typeof raw === 'string' && raw !== '' ? raw.split(',') : []);
}

/** Who holds which role (the `user_roles` table). */
@Injectable()
export class RolesService {
  constructor(
    @InjectRepository(UserRole) private readonly roles: Repository<UserRole>,
    private readonly transactions: Transactions,
  ) {}

  async rolesOf(userId: string, manager?: EntityManager): Promise<RoleName[]> {
    const rows = await (manager?.getRepository(UserRole) ?? this.roles).find({
      select: { role: true },
      where: { userId },
    });
    return effectiveRoles(rows.map((row) => row.role));
  }

  /**
   * Locks the assignments of `role` until the transaction ends and returns their holders: every
   * change that could take the last holder away (a demotion, a disable, a deletion) takes this
   * lock first, so two of them cannot both see another holder left.
   */
  async lockHoldersOf(role: RoleName, manager: EntityManager): Promise<string[]> {
    const query = manager
      .createQueryBuilder(UserRole, 'assigned')
      .select(['assigned.userId', 'assigned.role'])
      .where('assigned.role = :role', { role });
    const rows = await this.transactions.forUpdate(query).getMany();
    return rows.map((row) => row.userId);
  }

  /** Makes the account's roles exactly `roles` (`user` is implied); says whether anything changed. */
  async replace(userId: string, roles: RoleName[], manager: EntityManager): Promise<boolean> {
    const wanted = new Set<string>(roles.filter((role) => role !== IMPLICIT_ROLE));
    const held = new Set(
      (await manager.find(UserRole, { select: { role: true }, where: { userId } })).map(
        (row) => row.role,
      ),
    );
    const removed = [...held].filter((role) => !wanted.has(role));
    const added = [...wanted].filter((role) => !held.has(role));
    if (removed.length > 0) {
      await manager
        .createQueryBuilder()
        .delete()
        .from(UserRole)
        .where('user_id = :userId AND role IN (:...removed)', { userId, removed })
        .execute();
    }
    if (added.length > 0) {
      const grantedAt = new Date();
      await manager.insert(
        UserRole,
        added.map((role) => ({ userId, role, grantedAt })),
      );
    }
    return removed.length + added.length > 0;
  }
}
