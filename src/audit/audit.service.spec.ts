import { QueryFailedError, type Repository } from 'typeorm';
import { testCrypto } from '../../test/support/crypto';
import type { Transactions } from '../common/transactions';
import type { AuditLog } from './audit-log.entity';
import { AuditEntry, AuditService } from './audit.service';

const crypto = testCrypto();

const entry: AuditEntry = {
  userId: null,
  action: 'login',
  outcome: 'success',
  ip: '203.0.113.7',
  userAgent: 'spec/1.0',
  requestId: 'req-1',
  meta: null,
};

/** How MySQL refuses a statement, as mysql2 reports it and TypeORM wraps it. */
function mysqlError(code: string, sqlMessage: string): QueryFailedError {
  return new QueryFailedError(
    'INSERT INTO audit_logs ...',
    [],
    Object.assign(new Error(sqlMessage), { code, sqlMessage }),
  );
}

/**
 * An AuditService over a repository that refuses the first inserts with the given errors and
 * records what it was asked; the chain's head moves on as another instance's would.
 */
function serviceRefusing(...refusals: QueryFailedError[]) {
  const heads = ['head-before', 'head-after-the-other-writer'];
  const reads: string[] = [];
  const inserts: Array<Array<Pick<AuditLog, 'prevHash'>>> = [];
  const insert = {
    rows: [] as Array<Pick<AuditLog, 'prevHash'>>,
    insert: () => insert,
    values: (rows: Array<Pick<AuditLog, 'prevHash'>>) => ((insert.rows = rows), insert),
    updateEntity: () => insert,
    execute: () => {
      const refusal = refusals.shift();
      if (refusal) return Promise.reject(refusal);
      inserts.push(insert.rows);
      return Promise.resolve({});
    },
  };
  const logs = {
    find: () => {
      const head = heads[Math.min(reads.length, heads.length - 1)];
      reads.push(head);
      return Promise.resolve([{ hash: head }]);
    },
    createQueryBuilder: () => insert,
  } as unknown as Repository<AuditLog>;
  const transactions = { autocommit: <T>(work: () => Promise<T>) => work() } as Transactions;
  const service = new AuditService(logs, transactions, crypto);
  return { service, reads, inserts };
}

describe('AuditService.append on MySQL', () => {
  it('links again after the new head when InnoDB made its insert a deadlock victim', async () => {
    const { service, reads, inserts } = serviceRefusing(
      mysqlError(
        'ER_LOCK_DEADLOCK',
        'Deadlock found when trying to get lock; try restarting transaction',
      ),
    );
    await service.append([entry]);
    expect(reads).toEqual(['head-before', 'head-after-the-other-writer']);
    expect(inserts).toHaveLength(1);
    expect(inserts[0][0].prevHash).toBe('head-after-the-other-writer');
  });

  it('links again when another writer took its head first (the unique key on prev_hash)', async () => {
    const { service, inserts } = serviceRefusing(
      mysqlError('ER_DUP_ENTRY', "Duplicate entry 'x' for key 'UQ_audit_logs_prev_hash'"),
    );
    await service.append([entry]);
    expect(inserts.map((rows) => rows[0].prevHash)).toEqual(['head-after-the-other-writer']);
  });

  it('gives up on any other failure, without retrying', async () => {
    const { service, inserts } = serviceRefusing(
      mysqlError('ER_DATA_TOO_LONG', "Data too long for column 'user_agent' at row 1"),
    );
    await expect(service.append([entry])).rejects.toThrow('Data too long');
    expect(inserts).toEqual([]);
  });
});
