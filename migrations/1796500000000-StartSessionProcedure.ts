import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * MySQL/MariaDB only (nothing on SQLite): a login's session swap as one stored procedure, so
 * that it is one round trip instead of six (begin, lock, read, end the old session, insert,
 * commit). Under load every round trip also wakes the server and mariadbd on the cores that
 * argon2 needs. The rules are those of SessionsService's transaction, which SQLite runs:
 *
 * - the user's row and active session are locked together (READ COMMITTED, FOR UPDATE), so
 *   racing logins of one account run one after the other, and the unique key on
 *   active_user_id still refuses a second active session whatever happens;
 * - an expired active session is ended as `expired`; a live one is ended as `replaced` when
 *   p_may_replace, and otherwise nothing is written and the outcome is `active`;
 * - any error rolls back and is raised again unchanged (codes and key names included), so a
 *   pooled connection is never left inside a transaction.
 *
 * Answers one row: outcome (`started`, `replaced`, `expired` or `active`) and the current
 * session it met, if any (current_id, current_expires_at).
 */
const START_SESSION = `
CREATE PROCEDURE start_session(
  IN p_id VARCHAR(36),
  IN p_user_id VARCHAR(36),
  IN p_refresh_token_hash VARCHAR(64),
  IN p_now DATETIME(3),
  IN p_expires_at DATETIME(3),
  IN p_ip VARCHAR(64),
  IN p_user_agent VARCHAR(512),
  IN p_may_replace TINYINT
)
MODIFIES SQL DATA
body: BEGIN
  DECLARE v_current_id VARCHAR(36) DEFAULT NULL;
  DECLARE v_current_expires_at DATETIME(3) DEFAULT NULL;
  DECLARE v_ended VARCHAR(16) DEFAULT NULL;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION
  BEGIN
    ROLLBACK;
    RESIGNAL;
  END;

  SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
  START TRANSACTION;
  SELECT s.id, s.expires_at INTO v_current_id, v_current_expires_at
    FROM users u LEFT JOIN sessions s ON s.active_user_id = u.id
    WHERE u.id = p_user_id
    FOR UPDATE;
  IF v_current_id IS NOT NULL THEN
    IF v_current_expires_at <= p_now THEN
      SET v_ended = 'expired';
    ELSEIF p_may_replace THEN
      SET v_ended = 'replaced';
    ELSE
      ROLLBACK;
      SELECT 'active' AS outcome, v_current_id AS current_id,
        v_current_expires_at AS current_expires_at;
      LEAVE body;
    END IF;
    UPDATE sessions SET status = v_ended, active_user_id = NULL, ended_at = p_now
      WHERE id = v_current_id;
  END IF;
  INSERT INTO sessions (id, user_id, active_user_id, status, refresh_token_hash, created_at,
      expires_at, last_seen_at, ended_at, ip, user_agent)
    VALUES (p_id, p_user_id, p_user_id, 'active', p_refresh_token_hash, p_now,
      p_expires_at, p_now, NULL, p_ip, p_user_agent);
  COMMIT;
  SELECT COALESCE(v_ended, 'started') AS outcome, v_current_id AS current_id,
    v_current_expires_at AS current_expires_at;
END`;

export class StartSessionProcedure1796500000000 implements MigrationInterface {
  name = 'StartSessionProcedure1796500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'mysql') return;
    await queryRunner.query(START_SESSION);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'mysql') return;
    await queryRunner.query('DROP PROCEDURE IF EXISTS start_session');
  }
}
