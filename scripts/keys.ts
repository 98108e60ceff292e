// npm run keys:rotate | keys:revoke -- <kid> | keys:rewrap | keys:list: the signing keys in
// `signing_keys` (keys:rewrap also re-seals the TOTP secrets in `mfa_totp`), with the app's own
// configuration (.env and the environment). Each change is printed and leaves an audit row
// (key.rotated, key.revoked, key.rewrapped). Exit code 0 when done, 1 when refused or failed.
// Running instances pick a change up within SIGNING_KEYS_REFRESH_SECONDS.
import 'reflect-metadata';
import 'dotenv/config';
import { DataSource } from 'typeorm';
import { AuditLog } from '../src/audit/audit-log.entity';
import { AuditService } from '../src/audit/audit.service';
import { CryptoService } from '../src/common/crypto.service';
import { Transactions } from '../src/common/transactions';
import { authConfig } from '../src/config/auth.config';
import { databaseConfig } from '../src/config/database.config';
import { keysConfig } from '../src/config/keys.config';
import { typeOrmOptions } from '../src/database/typeorm-options';
import { keyEvent } from '../src/keys/key-ring';
import { SigningKey } from '../src/keys/signing-key.entity';
import { SigningKeysService } from '../src/keys/signing-keys.service';
import { rewrapTotpSecrets } from '../src/mfa/rewrap';
import { TotpCredential } from '../src/mfa/totp-credential.entity';

const USAGE = 'usage: npm run keys:rotate | keys:revoke -- <kid> | keys:rewrap | keys:list';

type Say = (line: string) => void;

async function run(command: string, args: string[], say: Say): Promise<number> {
  const dataSource = new DataSource({ ...typeOrmOptions(databaseConfig()), logging: false });
  await dataSource.initialize();
  try {
    const auth = authConfig();
    const crypto = new CryptoService(auth);
    const transactions = new Transactions(dataSource);
    const keys = new SigningKeysService(
      dataSource.getRepository(SigningKey),
      transactions,
      crypto,
      auth,
      keysConfig(),
    );
    const audit = new AuditService(dataSource.getRepository(AuditLog), transactions, crypto);
    switch (command) {
      case 'list': {
        for (const key of await keys.list())
          say(`${key.kid} ${key.alg} ${key.status} created ${key.createdAt.toISOString()}`);
        return 0;
      }
      case 'rotate': {
        const rotation = await keys.rotate();
        const when = rotation.signsFrom.toISOString();
        if (!rotation.created) {
          say(
            `A next key is already published: ${rotation.kid} (${rotation.alg}), signs from ${when}`,
          );
          return 0;
        }
        await audit.append([
          keyEvent('key.rotated', { kid: rotation.kid, alg: rotation.alg, automatic: false }),
        ]);
        say(`Published ${rotation.kid} (${rotation.alg}) as next; it signs from ${when}`);
        return 0;
      }
      case 'revoke': {
        const [kid] = args;
        if (!kid) {
          say(USAGE);
          return 1;
        }
        const revocation = await keys.revoke(kid);
        if (!revocation) {
          say(`No signing key ${kid}`);
          return 1;
        }
        await audit.append([
          keyEvent('key.revoked', {
            kid,
            status: revocation.status,
            signing_kid: revocation.signingKid,
          }),
        ]);
        say(`Revoked ${kid} (it was ${revocation.status}); its tokens are refused from now on`);
        say(`Signing key: ${revocation.signingKid ?? 'none'}`);
        return 0;
      }
      case 'rewrap': {
        const kids = await keys.rewrap();
        const secrets = await rewrapTotpSecrets(dataSource.getRepository(TotpCredential), crypto);
        if (kids.length + secrets > 0)
          await audit.append([
            keyEvent('key.rewrapped', { count: kids.length, totp_secrets: secrets }),
          ]);
        say(`Re-sealed ${kids.length} private key(s) under the current KEY_ENCRYPTION_KEY`);
        if (secrets > 0)
          say(`Re-sealed ${secrets} TOTP secret(s) under the current KEY_ENCRYPTION_KEY`);
        return 0;
      }
      default:
        say(USAGE);
        return 1;
    }
  } finally {
    await dataSource.destroy();
  }
}

const [command = '', ...args] = process.argv.slice(2);
run(command, args, (line) => process.stdout.write(`${line}\n`)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(
      `keys:${command} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exitCode = 1;
  },
);
