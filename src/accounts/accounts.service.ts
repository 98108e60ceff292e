import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Errors } from '../common/errors';
import { Transactions } from '../common/transactions';
import { MfaService, PassedFactor } from '../mfa/mfa.service';
import { ADMIN_ROLE, RoleName } from '../roles/roles';
import { RolesService } from '../roles/roles.service';
import { SessionsService } from '../sessions/sessions.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';

/** An account as a change found it, locked, with who holds `admin` (locked too). */
interface Locked {
  user: User;
  admins: string[];
}

/**
 * What changes an account's standing: its status, its roles, its existence. Each change runs in
 * one transaction that first locks the admin assignments, then the account's row, so that
 * changes that could remove the last active admin (a demotion, a disable, a deletion) queue on
 * each other and a login (which locks the same row) sees the outcome.
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UsersService,
    private readonly roles: RolesService,
    private readonly sessions: SessionsService,
    private readonly mfa: MfaService,
    private readonly transactions: Transactions,
  ) {}

  /** The account is disabled and its session ends at once (401 SESSION_REVOKED everywhere). */
  disable(userId: string): Promise<{ changed: boolean; sessionsRevoked: number }> {
    return this.transactions.run(async (manager) => {
      const locked = await this.lock(userId, manager);
      await this.assertAdminLeftWithout(locked, manager);
      const changed = await this.users.setStatus(userId, 'disabled', manager);
      const sessionsRevoked = await this.sessions.revokeAllSessionsOf(userId, manager);
      return { changed, sessionsRevoked };
    });
  }

  enable(userId: string): Promise<{ changed: boolean }> {
    return this.transactions.run(async (manager) => {
      await this.lock(userId, manager);
      return { changed: await this.users.setStatus(userId, 'active', manager) };
    });
  }

  /** Ends the account's active session, if any; returns how many ended (0 or 1). */
  async revokeSession(userId: string): Promise<number> {
    return this.transactions.run(async (manager) => {
      await this.lock(userId, manager);
      return this.sessions.revokeAllSessionsOf(userId, manager);
    });
  }

  /**
   * Makes the account's roles exactly `roles` (`user` is always kept). The change reaches every
   * instance's guard before this returns: the account's next request has the new roles.
   */
  setRoles(userId: string, roles: RoleName[]): Promise<{ roles: RoleName[]; changed: boolean }> {
    return this.transactions.run(async (manager) => {
      const locked = await this.lock(userId, manager);
      if (!roles.includes(ADMIN_ROLE)) await this.assertAdminLeftWithout(locked, manager);
      const changed = await this.roles.replace(userId, roles, manager);
      if (changed) this.sessions.rolesChanged(manager);
      return { roles: await this.roles.rolesOf(userId, manager), changed };
    });
  }

  /** `npm run admin:grant` / `admin:revoke`: the account named by its email gains or loses admin. */
  async setAdminByEmail(
    email: string,
    admin: boolean,
  ): Promise<{ user: User; roles: RoleName[]; changed: boolean }> {
    const user = await this.users.findByEmail(email);
    if (!user) throw Errors.userNotFound();
    const current = await this.roles.rolesOf(user.id);
    const wanted: RoleName[] = admin
      ? [...current, ADMIN_ROLE]
      : current.filter((role) => role !== ADMIN_ROLE);
    return { user, ...(await this.setRoles(user.id, wanted)) };
  }

  /**
   * Deletes the account. Its session is revoked first (every instance refuses its tokens), then
   * the row goes, and with it, through foreign keys, its sessions, one-time tokens and roles.
   * Audit rows keep its id until retention purges them.
   */
  delete(userId: string): Promise<{ sessionsRevoked: number }> {
    return this.transactions.run((manager) => this.deleteLocked(userId, manager));
  }

  /**
   * DELETE /users/me: the owner proves the password (INVALID_CREDENTIALS otherwise, the session
   * stays) and, with two-factor login on, gives a code (spent; returned for the audit row). A password changed since the check (a racing reset) refuses the deletion too; an
   * account deleted meanwhile (a racing request of the same session) is SESSION_REVOKED, as its
   * token is from then on.
   */
  async deleteOwn(
    userId: string,
    { password, code }: { password: string; code?: string },
  ): Promise<{ secondFactor: PassedFactor | null }> {
    const user = await this.users.findByIdWithPassword(userId, password);
    const secondFactor = await this.mfa.requireSecondFactorFor(user, code);
    await this.transactions.run((manager) => this.deleteLocked(userId, manager, user.passwordHash));
    return { secondFactor };
  }

  private async deleteLocked(userId: string, manager: EntityManager, checkedHash?: string) {
    const own = checkedHash !== undefined;
    const locked = await this.lock(userId, manager, own ? 'SESSION_REVOKED' : 'USER_NOT_FOUND');
    if (own && locked.user.passwordHash !== checkedHash) throw Errors.invalidCredentials();
    await this.assertAdminLeftWithout(locked, manager);
    const sessionsRevoked = await this.sessions.revokeAllSessionsOf(userId, manager);
    await this.users.delete(userId, manager);
    return { sessionsRevoked };
  }

  private async lock(
    userId: string,
    manager: EntityManager,
    missing: 'USER_NOT_FOUND' | 'SESSION_REVOKED' = 'USER_NOT_FOUND',
  ): Promise<Locked> {
    const admins = await this.roles.lockHoldersOf(ADMIN_ROLE, manager);
    const user = await this.users.lockRow(userId, manager);
    if (!user)
      throw missing === 'USER_NOT_FOUND' ? Errors.userNotFound() : Errors.unauthorized(missing);
    return { user, admins };
  }

  /** LAST_ADMIN when the account is an active admin and no other active admin exists. */
  private async assertAdminLeftWithout(
    { user, admins }: Locked,
    manager: EntityManager,
  ): Promise<void> {
    if (user.status !== 'active' || !admins.includes(user.id)) return;
    const others = admins.filter((id) => id !== user.id);
    if ((await this.users.countActive(others, manager)) === 0) throw Errors.lastAdmin();
  }
}
