import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOOD_PASSWORD } from '../support/factories';
import { SmtpPeer } from '../support/smtp-peer';
import {
  confirmFromMail,
  fillFileSystem,
  mountTmpfs,
  newIdentity,
  sleep,
  SqliteService,
  sqliteEnv,
  unmount,
} from './sqlite-service';

/**
 * The SQLite file on a small tmpfs that fills up: every write is either durable, or answered
 * 503 SERVICE_UNAVAILABLE; readiness says so while writes fail; once space is back the service
 * writes again without a restart, and after a restart every acknowledged account exists.
 * Needs root to mount the tmpfs (CI runs as root).
 */
describe('SQLite: the disk fills up', () => {
  let dir: string;
  let volume: string;
  let smtp: SmtpPeer;
  let service: SqliteService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faults-sqlite-full-'));
    volume = join(dir, 'volume');
    mkdirSync(volume);
    mountTmpfs(volume, '8m');
    smtp = await SmtpPeer.start();
    service = await SqliteService.create(sqliteEnv(join(volume, 'auth.sqlite'), smtp));
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
    await smtp?.close();
    unmount(volume);
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges only durable writes, recovers when space is freed, and keeps them across a restart', async () => {
    const signUp = async () => {
      const identity = newIdentity();
      const reply = await service.call('POST', '/auth/signup', identity);
      return { email: identity.email, reply };
    };
    const login = (email: string) =>
      service.call('POST', '/auth/login', { email, password: GOOD_PASSWORD, force: true });

    const first = await signUp();
    expect(first.reply.status).toBe(201);
    expect((await confirmFromMail(service, smtp, first.email)).status).toBe(200);
    expect((await login(first.email)).status).toBe(200);

    const acknowledged: string[] = [first.email];
    const answers: Array<{ what: string; status: number; code?: string }> = [];
    let failures = 0;
    let readyWhileFailing: number | undefined;

    fillFileSystem(join(volume, 'filler'));
    // Writes until several have failed, and as many again after the first failure.
    for (let attempt = 0; attempt < 60 && failures < 10; attempt += 1) {
      const signup = await signUp();
      answers.push({
        what: 'signup',
        status: signup.reply.status,
        code: signup.reply.body.code,
      });
      if (signup.reply.status === 201) acknowledged.push(signup.email);
      else failures += 1;
      const loggedIn = await login(first.email);
      answers.push({ what: 'login', status: loggedIn.status, code: loggedIn.body.code });
      if (loggedIn.status !== 200) failures += 1;
      if (failures > 0 && readyWhileFailing === undefined)
        readyWhileFailing = (await service.call('GET', '/health/ready')).status;
    }
    expect(failures).toBeGreaterThan(0);
    for (const answer of answers) {
      const ok = answer.what === 'signup' ? 201 : 200;
      expect([answer.what, answer.status === ok ? ok : answer.code]).toEqual([
        answer.what,
        answer.status === ok ? ok : 'SERVICE_UNAVAILABLE',
      ]);
      if (answer.status !== ok) expect(answer.status).toBe(503);
    }
    expect(readyWhileFailing).toBe(503);

    // Space is back: without a restart, writes succeed and readiness recovers.
    rmSync(join(volume, 'filler'));
    let recovered = false;
    for (let attempt = 0; attempt < 20 && !recovered; attempt += 1) {
      recovered = (await service.call('GET', '/health/ready')).status === 200;
      if (!recovered) await sleep(250);
    }
    expect(recovered).toBe(true);
    for (let i = 0; i < 3; i += 1) {
      const signup = await signUp();
      expect(signup.reply.status).toBe(201);
      acknowledged.push(signup.email);
    }
    expect((await login(first.email)).status).toBe(200);

    // After a restart, every account that was answered 201 is there and can log in.
    await service.stop();
    await service.start();
    for (const email of acknowledged.slice(1)) {
      expect([email, (await confirmFromMail(service, smtp, email)).status]).toEqual([email, 200]);
    }
    for (const email of acknowledged) {
      expect([email, (await login(email)).status]).toEqual([email, 200]);
    }
  }, 180_000);
});
