import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

export const SIGNING_KEY_STATUSES = ['next', 'current', 'retired'] as const;
export type SigningKeyStatus = (typeof SIGNING_KEY_STATUSES)[number];

/** A key pair the service signs access tokens with; only this module reads the table. */
@Entity('signing_keys')
@Unique('UQ_signing_keys_slot', ['slot'])
export class SigningKey {
  /** The RFC 7638 thumbprint of the public key. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'varchar', length: 16 })
  alg: string;

  /** The public key as a JSON JWK. */
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk: string;

  /** The private key (PKCS#8 PEM) sealed with AES-256-GCM under KEY_ENCRYPTION_KEY. */
  @Column({ name: 'private_key', type: 'text' })
  privateKey: string;

  @Column({ type: 'varchar', length: 16 })
  status: SigningKeyStatus;

  /**
   * The status while `next` or `current`, NULL once retired: the unique key lets the database
   * decide which of two racing instances makes the current (or the next) key.
   */
  @Column({ type: 'varchar', length: 16, nullable: true })
  slot: 'next' | 'current' | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ name: 'activated_at', type: 'datetime', precision: 3, nullable: true })
  activatedAt: Date | null;

  @Column({ name: 'retired_at', type: 'datetime', precision: 3, nullable: true })
  retiredAt: Date | null;
}
