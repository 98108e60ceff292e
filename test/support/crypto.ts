import type { ConfigType } from '@nestjs/config';
import { CryptoService } from '../../src/common/crypto.service';
import type { authConfig } from '../../src/config/auth.config';

/**
 * A CryptoService for unit specs: the given secret and key-encryption keys, argon2 at the
 * service's minimum cost.
 */
export function testCrypto(
  secretKey = 'unit-test-secret-key-of-enough-length',
  keyEncryptionKey = 'unit-test-key-encryption-key-of-enough-length',
  previousKeyEncryptionKeys: string[] = [],
): CryptoService {
  return new CryptoService({
    secretKey,
    keyEncryptionKey,
    previousKeyEncryptionKeys,
    argon2: { memoryKib: 19456, timeCost: 2, parallelism: 1, maxConcurrent: 2, queueLimit: 8 },
  } as ConfigType<typeof authConfig>);
}
