import type { Repository } from 'typeorm';
import type { CryptoService } from '../common/crypto.service';
import { TotpCredential } from './totp-credential.entity';

/**
 * `npm run keys:rewrap`: re-seals every TOTP secret sealed under an earlier KEY_ENCRYPTION_KEY
 * (still listed in KEY_ENCRYPTION_KEY_PREVIOUS) under the current one; returns how many. A row
 * changed meanwhile (a new setup) is left as it is: it is sealed under the current key already.
 */
export async function rewrapTotpSecrets(
  credentials: Repository<TotpCredential>,
  crypto: CryptoService,
): Promise<number> {
  const stale = (await credentials.find()).filter((row) => crypto.sealedByPreviousKey(row.secret));
  let rewrapped = 0;
  for (const { userId, secret } of stale) {
    const resealed = crypto.seal(crypto.open(secret, userId), userId);
    const result = await credentials.update({ userId, secret }, { secret: resealed });
    rewrapped += result.affected ?? 0;
  }
  return rewrapped;
}
