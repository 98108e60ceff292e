import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Statement } from 'better-sqlite3';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/** What a statement binds: never a boolean (bind 0/1), nor a Date on SQLite (see Sql.date). */
export type SqlValue = string | number | null | Date;

/** A mysql2 pool or one of its connections: both run prepared statements. */
interface MysqlExecutor {
  execute(
    sql: string,
    values: SqlValue[],
    callback: (error: Error | null, result: unknown) => void,
  ): void;
}

interface SqliteConnection {
  prepare(sql: string): Statement<SqlValue[], unknown>;
}

/**
 * Hand-written statements for the hot paths (the guard, login, the audit append), where
 * TypeORM's query and insert builders cost more CPU than the queries themselves. Values are
 * always bound, never spliced. Values are stored as TypeORM stores them, so both kinds of
 * access see the same rows: on SQLite dates are UTC text ("YYYY-MM-DD HH:MM:SS.SSS") and
 * booleans 0/1; mysql2 (timezone Z) takes and gives Dates.
 */
@Injectable()
export class Sql {
  readonly isMysql: boolean;
  /** Appended to a SELECT inside a transaction that must hold its rows (SQLite transactions run one at a time). */
  readonly forUpdate: string;
  private readonly sqliteStatements = new Map<string, Statement<SqlValue[], unknown>>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.isMysql = dataSource.options.type === 'mysql';
    this.forUpdate = this.isMysql ? ' FOR UPDATE' : '';
  }

  /**
   * Rows of a read outside any transaction. Every statement here is prepared: cached on
   * SQLite's one connection; on MySQL, mysql2 prepares it once per pooled connection. Both
   * caches are keyed by the text, so `sql` must be a constant (values only ever go in `values`),
   * or one of a few shapes (a number of placeholders).
   */
  read<Row>(sql: string, values: SqlValue[]): Promise<Row[]> {
    return this.run<Row[]>(undefined, 'all', sql, values);
  }

  /**
   * One INSERT, UPDATE or DELETE on its own (autocommit); resolves to the rows it changed.
   * On SQLite it must run through `Transactions.autocommit`, never while a transaction holds the
   * one connection.
   */
  async write(sql: string, values: SqlValue[]): Promise<number> {
    return this.changed(await this.run(undefined, 'run', sql, values));
  }

  /** Rows of a SELECT inside the transaction `manager` belongs to. */
  query<Row>(manager: EntityManager, sql: string, values: SqlValue[]): Promise<Row[]> {
    return this.run<Row[]>(manager, 'all', sql, values);
  }

  /** Runs an INSERT, UPDATE or DELETE inside the transaction; resolves to the rows it changed. */
  async change(manager: EntityManager, sql: string, values: SqlValue[]): Promise<number> {
    return this.changed(await this.run(manager, 'run', sql, values));
  }

  /**
   * The rows of the first result set of a stored procedure (MySQL only). It runs on a pooled
   * connection of its own, outside any transaction of ours: it begins and commits its own.
   */
  async call<Row>(sql: string, values: SqlValue[]): Promise<Row[]> {
    if (!this.isMysql) throw new Error('Stored procedures exist on MySQL only');
    const [rows] = await this.run<[Row[], unknown]>(undefined, 'all', sql, values);
    return rows;
  }

  /** A Date as the column stores it. */
  date(value: Date): SqlValue {
    return this.isMysql ? value : value.toISOString().replace('T', ' ').slice(0, 23);
  }

  /**
   * Runs the statement on the transaction's connection (straight to the driver: TypeORM's
   * query runner costs more than the statement) or, without one, on the pool. Errors come as
   * TypeORM's QueryFailedError, like every other statement's.
   */
  private run<T>(
    manager: EntityManager | undefined,
    kind: 'all' | 'run',
    sql: string,
    values: SqlValue[],
  ): Promise<T> {
    if (manager && !manager.queryRunner?.isTransactionActive) {
      return Promise.reject(new Error('Sql needs a manager from Transactions.run'));
    }
    if (this.isMysql) {
      const target = manager
        ? (manager.queryRunner as unknown as { databaseConnection: MysqlExecutor })
            .databaseConnection
        : (this.dataSource.driver as unknown as { pool: MysqlExecutor }).pool;
      return new Promise((resolve, reject) =>
        target.execute(sql, values, (error, result) =>
          error ? reject(new QueryFailedError(sql, values, error)) : resolve(result as T),
        ),
      );
    }
    try {
      // SQLite: one connection, so inside a transaction this is the transaction's too.
      const statement = this.sqliteStatement(sql);
      return Promise.resolve(
        (kind === 'all' ? statement.all(...values) : statement.run(...values)) as T,
      );
    } catch (error) {
      return Promise.reject(new QueryFailedError(sql, values, error as Error));
    }
  }

  /** Rows changed, from mysql2's result header or better-sqlite3's run info. */
  private changed(result: unknown): number {
    const { affectedRows, changes } = result as { affectedRows?: number; changes?: number };
    return affectedRows ?? changes ?? 0;
  }

  private sqliteStatement(sql: string): Statement<SqlValue[], unknown> {
    let statement = this.sqliteStatements.get(sql);
    if (!statement) {
      const connection = (
        this.dataSource.driver as unknown as { databaseConnection: SqliteConnection }
      ).databaseConnection;
      statement = connection.prepare(sql);
      this.sqliteStatements.set(sql, statement);
    }
    return statement;
  }
}

/** "(?, ?, ?)" for `count` values. */
export function placeholders(count: number): string {
  return `(${Array.from({ length: count }, () => '?').join(', ')})`;
}

/** A datetime column's value as read: SQLite's UTC text or mysql2's Date. */
export function readDate(value: string | Date): Date {
  return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
}

export function readNullableDate(value: string | Date | null): Date | null {
  return value === null ? null : readDate(value);
}

/** A boolean column's value as read: 0/1 on both (TINYINT(1) on MySQL). */
export function readBool(value: number | boolean | string): boolean {
  return value === true || Number(value) === 1;
}
