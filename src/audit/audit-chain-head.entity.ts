import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The id of the one row of `audit_chain_head`. */
export const CHAIN_HEAD_ID = 1;

/**
 * The hash of the newest audit row. Every append locks this row first, links after its hash
 * and moves it on, in the same transaction: appends from all instances queue on one row lock,
 * first come first served, so none can lose a race or starve.
 */
@Entity('audit_chain_head')
export class AuditChainHead {
  @PrimaryColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
