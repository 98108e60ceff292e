import { DataSource } from 'typeorm';
import { AuditLog } from '../src/audit/audit-log.entity';
import { Session } from '../src/sessions/session.entity';
import { User } from '../src/users/user.entity';
import { bearer, loggedInUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The hot paths (login, refresh, the guard, the audit append) write and read rows with
 * hand-written statements; everything else goes through TypeORM. Both must store the same
 * shapes, or one side would misread the other's rows (dates above all, on SQLite as text).
 */
describe('hand-written statements and TypeORM store the same values', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  /** The stored text of a datetime column (SQLite), or its Date as ISO (MySQL). */
  async function storedDate(table: string, column: string, id: string): Promise<string> {
    const [row] = (await db.query(`SELECT ${column} AS value FROM ${table} WHERE id = ?`, [
      id,
    ])) as Array<{ value: string | Date }>;
    return row.value instanceof Date ? row.value.toISOString() : row.value;
  }

  it('a session inserted at login reads back through TypeORM exactly as the API shows it', async () => {
    const before = Date.now();
    const { userId, accessToken } = await loggedInUser(t);
    const shown = await t.http.get('/session/active').set(bearer(accessToken)).expect(200);
    const view = shown.body.session as Record<string, string>;

    const session = await db.getRepository(Session).findOneByOrFail({ id: view.id });
    expect(session).toMatchObject({
      userId,
      activeUserId: userId,
      status: 'active',
      endedAt: null,
    });
    expect(session.createdAt.toISOString()).toBe(view.created_at);
    expect(session.expiresAt.toISOString()).toBe(view.expires_at);
    expect(session.lastSeenAt.toISOString()).toBe(view.last_seen_at);
    expect(session.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBe(7 * 24 * 3600 * 1000);

    // Same stored form as a row TypeORM wrote itself (the user, at signup).
    const user = await storedDate('users', 'created_at', userId);
    const ours = await storedDate('sessions', 'created_at', view.id);
    const shape = (value: string) => value.replace(/\d/g, '9');
    expect(shape(ours)).toBe(shape(user));
  });

  it('a replaced session is ended with a real time, and the new one is the only active row', async () => {
    const { identity, userId, accessToken } = await loggedInUser(t);
    const first = await t.http.get('/session/active').set(bearer(accessToken)).expect(200);
    const firstId = (first.body.session as { id: string }).id;
    await t.http
      .post('/auth/login')
      .send({ email: identity.email, password: identity.password, force: true })
      .expect(200);

    const sessions = await db.getRepository(Session).findBy({ userId });
    const old = sessions.find((session) => session.id === firstId)!;
    expect(old).toMatchObject({ status: 'replaced', activeUserId: null });
    expect(old.endedAt).toBeInstanceOf(Date);
    expect(old.endedAt!.getTime()).toBeGreaterThanOrEqual(old.createdAt.getTime());
    expect(sessions.filter((session) => session.status === 'active')).toHaveLength(1);
  });

  it('a refresh records last_seen_at as a date TypeORM reads', async () => {
    const { refreshToken, accessToken } = await loggedInUser(t);
    const shown = await t.http.get('/session/active').set(bearer(accessToken)).expect(200);
    const id = (shown.body.session as { id: string }).id;
    await new Promise((resolve) => setTimeout(resolve, 20));
    await t.http.post('/auth/refresh').send({ refresh_token: refreshToken }).expect(200);

    const session = await db.getRepository(Session).findOneByOrFail({ id });
    expect(session.lastSeenAt.getTime()).toBeGreaterThan(session.createdAt.getTime());
    expect(session.lastSeenAt.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('audit rows appended by hand read back through TypeORM with their time and meta', async () => {
    const before = Date.now() - 1000;
    const { userId } = await loggedInUser(t);
    const rows = await db.getRepository(AuditLog).find({ where: { userId }, order: { id: 'ASC' } });
    const login = rows.find((row) => row.action === 'login')!;
    expect(login.outcome).toBe('success');
    expect(login.createdAt).toBeInstanceOf(Date);
    expect(login.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(JSON.parse(login.meta!)).toEqual({ session_id: expect.any(String), forced: false });
    const user = await db.getRepository(User).findOneByOrFail({ id: userId });
    expect(user.isVerified).toBe(true);
  });
});
