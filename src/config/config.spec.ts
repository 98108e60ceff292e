import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appConfig } from './app.config';
import { auditConfig } from './audit.config';
import { authConfig } from './auth.config';
import { keysConfig } from './keys.config';
import { databaseConfig } from './database.config';
import { ConfigError } from './env';
import { mailConfig } from './mail.config';
import { mfaConfig } from './mfa.config';
import { oauthConfig } from './oauth.config';
import { throttleConfig } from './throttle.config';
import { CONFIG_NAMESPACES } from './namespaces';

/** The keys of DESIGN.md's configuration table; each test starts with none of them set. */
const KEYS = [
  'NODE_ENV',
  'PORT',
  'LOG_LEVEL',
  'APP_URL',
  'MFA_ISSUER',
  'DB_TYPE',
  'DB_PATH',
  'DB_HOST',
  'DB_PORT',
  'DB_USER',
  'DB_PASSWORD',
  'DB_NAME',
  'DB_MIGRATE',
  'SECRET_KEY',
  'KEY_ENCRYPTION_KEY',
  'KEY_ENCRYPTION_KEY_PREVIOUS',
  'ALGORITHM',
  'SIGNING_KEY_ROTATION_DAYS',
  'JWKS_MAX_AGE',
  'SIGNING_KEYS_REFRESH_SECONDS',
  'INTROSPECTION_CLIENTS',
  'THROTTLE_INTROSPECT_PER_CLIENT',
  'ACCESS_TOKEN_EXPIRE_MINUTES',
  'REFRESH_TOKEN_EXPIRE_DAYS',
  'SMTP_SERVER',
  'SMTP_PORT',
  'SMTP_EMAIL',
  'SMTP_PASSWORD',
  'MAIL_FROM',
  'MAIL_OUTBOX_DIR',
  'VERIFY_URL',
  'RESET_URL',
  'SESSION_POLICY',
  'CORS_ORIGINS',
  'TRUST_PROXY',
  'DOCS_ENABLED',
  'ARGON2_MEMORY_KIB',
  'ARGON2_TIME_COST',
  'ARGON2_PARALLELISM',
  'PASSWORD_MIN_LENGTH',
  'PASSWORD_MIN_SCORE',
  'AUDIT_RETENTION_DAYS',
  'THROTTLE_ENABLED',
  'REDIS_URL',
];

const A_GOOD_SECRET = 'k3J9-qv7Lw2pXz8R-mT4nYb6Hc1Ds5Fg0';
const A_GOOD_KEK = 'Zq8-Wm3Rt5Yp1Lk7Hn2Bv6Cx4Jd9Gf0Se';

describe('configuration', () => {
  const saved = { ...process.env };
  const cwd = process.cwd();
  let dir: string;

  beforeEach(() => {
    for (const key of KEYS) delete process.env[key];
    // Outside production a missing SECRET_KEY is written under ./data: keep that in a scratch dir.
    dir = mkdtempSync(join(tmpdir(), 'auth-config-'));
    process.chdir(dir);
  });
  afterEach(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
    process.env = { ...saved };
  });

  const set = (values: Record<string, string>) => Object.assign(process.env, values);

  describe('defaults', () => {
    it('serve on 3000 with docs, no CORS and no proxy trust', () => {
      expect(appConfig()).toMatchObject({
        port: 3000,
        logLevel: 'info',
        appUrl: 'http://localhost:3000',
        corsOrigins: [],
        trustProxy: false,
        docsEnabled: true,
      });
    });

    it('count as development (readable logs at a terminal) unless NODE_ENV is production or test', () => {
      expect(appConfig().development).toBe(true);
      set({ NODE_ENV: 'test' });
      expect(appConfig().development).toBe(false);
      set({ NODE_ENV: 'production' });
      expect(appConfig().development).toBe(false);
    });

    it("name APP_URL's host name, without its port, as the authenticator apps' issuer", () => {
      expect(mfaConfig().issuer).toBe('localhost');
      set({ APP_URL: 'https://auth.example.com:8443/base' });
      expect(mfaConfig().issuer).toBe('auth.example.com');
      set({ MFA_ISSUER: 'Example Co' });
      expect(mfaConfig().issuer).toBe('Example Co');
    });

    it('build APP_URL from PORT', () => {
      set({ PORT: '8080' });
      expect(appConfig().appUrl).toBe('http://localhost:8080');
      expect(mailConfig().verifyUrl).toBe('http://localhost:8080/verify/confirm?token={token}');
    });

    it('use the embedded SQLite file with migrations at start', () => {
      expect(databaseConfig()).toMatchObject({
        type: 'sqlite',
        path: './data/auth.sqlite',
        host: 'localhost',
        port: 3306,
        user: 'root',
        password: '',
        name: 'auth_system',
        migrate: true,
      });
    });

    it('write mail to the outbox when no SMTP server is set', () => {
      expect(mailConfig()).toMatchObject({
        smtp: undefined,
        from: 'no-reply@localhost',
        outboxDir: './var/outbox',
        verifyUrl: 'http://localhost:3000/verify/confirm?token={token}',
        resetUrl: 'http://localhost:3000/password/reset?token={token}',
      });
    });

    it('send over SMTP on 587 from SMTP_EMAIL when a server is set', () => {
      set({ SMTP_SERVER: 'smtp.example.com', SMTP_EMAIL: 'auth@example.com' });
      expect(mailConfig()).toMatchObject({
        smtp: { host: 'smtp.example.com', port: 587, user: 'auth@example.com' },
        from: 'auth@example.com',
      });
    });

    it('sign HS256 tokens for 30 minutes, sessions for 7 days, one session refused', () => {
      set({ SECRET_KEY: A_GOOD_SECRET });
      expect(authConfig()).toMatchObject({
        secretKey: A_GOOD_SECRET,
        algorithm: 'HS256',
        accessTokenMinutes: 30,
        refreshTokenDays: 7,
        sessionPolicy: 'reject',
        argon2: { memoryKib: 19456, timeCost: 2, parallelism: 1 },
        passwordMinLength: 8,
        passwordMinScore: 2,
      });
      expect(auditConfig().retentionDays).toBe(365);
    });
  });

  it('accepts every documented default when it is set explicitly, as .env.example does', () => {
    const example = readFileSync(join(cwd, '.env.example'), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => line.split('=', 2) as [string, string]);
    set(Object.fromEntries(example));
    for (const load of CONFIG_NAMESPACES) {
      expect(() => load()).not.toThrow();
    }
    expect(authConfig()).toMatchObject({ algorithm: 'HS256', sessionPolicy: 'reject' });
    expect(appConfig().logLevel).toBe('info');
  });

  it('reads enumerated values without regard to case', () => {
    set({
      SECRET_KEY: A_GOOD_SECRET,
      ALGORITHM: 'hs512',
      SESSION_POLICY: 'REPLACE',
      DB_TYPE: 'MySQL',
    });
    expect(authConfig()).toMatchObject({ algorithm: 'HS512', sessionPolicy: 'replace' });
    expect(databaseConfig().type).toBe('mysql');
  });

  describe('a bad value stops the start with a message naming the key', () => {
    it.each([
      ['PORT', 'abc', appConfig],
      ['PORT', '70000', appConfig],
      ['LOG_LEVEL', 'loud', appConfig],
      ['APP_URL', 'ftp://auth.example.com', appConfig],
      ['CORS_ORIGINS', 'https://app.example.com/path', appConfig],
      ['CORS_ORIGINS', '*', appConfig],
      ['TRUST_PROXY', 'sometimes', appConfig],
      ['DOCS_ENABLED', 'perhaps', appConfig],
      ['DB_TYPE', 'postgres', databaseConfig],
      ['DB_PORT', '0', databaseConfig],
      ['DB_MIGRATE', 'maybe', databaseConfig],
      ['ALGORITHM', 'none', authConfig],
      ['ACCESS_TOKEN_EXPIRE_MINUTES', '0', authConfig],
      ['REFRESH_TOKEN_EXPIRE_DAYS', 'week', authConfig],
      ['SESSION_POLICY', 'allow', authConfig],
      ['ARGON2_MEMORY_KIB', '4096', authConfig],
      ['ARGON2_TIME_COST', '1', authConfig],
      ['ARGON2_PARALLELISM', '0', authConfig],
      ['PASSWORD_MIN_LENGTH', '7', authConfig],
      ['PASSWORD_MIN_LENGTH', '129', authConfig],
      ['PASSWORD_MIN_SCORE', '5', authConfig],
      ['PASSWORD_MIN_SCORE', 'strong', authConfig],
      ['VERIFY_URL', 'https://app.example.com/verify', mailConfig],
      ['RESET_URL', 'javascript:alert(1)//{token}', mailConfig],
      ['AUDIT_RETENTION_DAYS', '0', auditConfig],
      ['MFA_ISSUER', 'Example:Co', mfaConfig],
      ['MFA_ISSUER', 'x'.repeat(65), mfaConfig],
      ['ALGORITHM', 'ES512', authConfig],
      ['KEY_ENCRYPTION_KEY', A_GOOD_SECRET, authConfig],
      ['KEY_ENCRYPTION_KEY_PREVIOUS', 'short', authConfig],
      ['SIGNING_KEY_ROTATION_DAYS', '-1', keysConfig],
      ['JWKS_MAX_AGE', 'ten', keysConfig],
      ['SIGNING_KEYS_REFRESH_SECONDS', '0', keysConfig],
      ['INTROSPECTION_CLIENTS', 'orders-api', keysConfig],
      ['INTROSPECTION_CLIENTS', 'orders-api:short', keysConfig],
      ['INTROSPECTION_CLIENTS', `a:${A_GOOD_SECRET},a:${A_GOOD_SECRET}`, keysConfig],
      ['THROTTLE_INTROSPECT_PER_CLIENT', 'many', throttleConfig],
      ['OAUTH_PROVIDERS', 'google,google', oauthConfig],
      ['OAUTH_PROVIDERS', 'my-idp', oauthConfig],
      ['OAUTH_REDIRECT_URIS', 'app.example.com/done', oauthConfig],
      ['OAUTH_REDIRECT_URIS', 'https://app.example.com/done#result', oauthConfig],
    ] as const)('%s=%s', (key, value, load) => {
      set({ SECRET_KEY: A_GOOD_SECRET, [key]: value });
      expect(() => load()).toThrow(ConfigError);
      expect(() => load()).toThrow(new RegExp(`^Invalid configuration: ${key} `));
    });

    it.each([
      [
        { OAUTH_PROVIDERS: 'google', OAUTH_REDIRECT_URIS: 'https://app.example.com/done' },
        'OAUTH_GOOGLE_CLIENT_ID',
      ],
      [
        {
          OAUTH_PROVIDERS: 'github',
          OAUTH_GITHUB_CLIENT_ID: 'id',
          OAUTH_REDIRECT_URIS: 'https://a.example/d',
        },
        'OAUTH_GITHUB_CLIENT_SECRET',
      ],
      [
        {
          OAUTH_PROVIDERS: 'acme',
          OAUTH_ACME_CLIENT_ID: 'id',
          OAUTH_ACME_CLIENT_SECRET: 's',
          OAUTH_REDIRECT_URIS: 'https://a.example/d',
        },
        'OAUTH_ACME_ISSUER',
      ],
      [
        {
          OAUTH_PROVIDERS: 'github',
          OAUTH_GITHUB_CLIENT_ID: 'id',
          OAUTH_GITHUB_CLIENT_SECRET: 's',
          OAUTH_GITHUB_API_URL: 'api.github.com',
          OAUTH_REDIRECT_URIS: 'https://a.example/d',
        },
        'OAUTH_GITHUB_API_URL',
      ],
    ])('social login: %j names %s', (values, key) => {
      set(values);
      expect(() => oauthConfig()).toThrow(new RegExp(`^Invalid configuration: ${key} `));
    });

    it("social login: the dashboard's callback page is always allowed, OAUTH_REDIRECT_URIS adds others", () => {
      const google = {
        OAUTH_PROVIDERS: 'google',
        OAUTH_GOOGLE_CLIENT_ID: 'id',
        OAUTH_GOOGLE_CLIENT_SECRET: 's',
        APP_URL: 'https://auth.example.com/',
      };
      set(google);
      expect(oauthConfig().redirectUris).toEqual(['https://auth.example.com/app/oauth/callback']);
      set({ ...google, OAUTH_REDIRECT_URIS: 'https://app.example.com/done' });
      expect(oauthConfig().redirectUris).toEqual([
        'https://auth.example.com/app/oauth/callback',
        'https://app.example.com/done',
      ]);
    });

    it('social login: Google and GitHub default to their public endpoints', () => {
      set({
        OAUTH_PROVIDERS: 'Google,github',
        OAUTH_GOOGLE_CLIENT_ID: 'g-id',
        OAUTH_GOOGLE_CLIENT_SECRET: 'g-secret',
        OAUTH_GITHUB_CLIENT_ID: 'h-id',
        OAUTH_GITHUB_CLIENT_SECRET: 'h-secret',
        OAUTH_REDIRECT_URIS: 'https://app.example.com/done, https://app.example.com/done/',
      });
      expect(oauthConfig()).toMatchObject({
        providers: [
          { kind: 'oidc', name: 'google', issuer: 'https://accounts.google.com' },
          {
            kind: 'github',
            name: 'github',
            baseUrl: 'https://github.com',
            apiUrl: 'https://api.github.com',
          },
        ],
        redirectUris: [
          'http://localhost:3000/app/oauth/callback',
          'https://app.example.com/done',
          'https://app.example.com/done/',
        ],
      });
    });

    it('SMTP_PORT is checked when an SMTP server is set', () => {
      set({ SMTP_SERVER: 'smtp.example.com', SMTP_PORT: 'smtp' });
      expect(() => mailConfig()).toThrow(/SMTP_PORT/);
    });

    it('accepts the strongest settings the ranges allow', () => {
      set({
        SECRET_KEY: A_GOOD_SECRET,
        ARGON2_MEMORY_KIB: '65536',
        ARGON2_TIME_COST: '3',
        PASSWORD_MIN_LENGTH: '15',
        PASSWORD_MIN_SCORE: '4',
        SESSION_POLICY: 'replace',
        VERIFY_URL: 'https://app.example.com/verify#{token}',
      });
      expect(authConfig()).toMatchObject({
        argon2: { memoryKib: 65536, timeCost: 3 },
        passwordMinLength: 15,
        passwordMinScore: 4,
        sessionPolicy: 'replace',
      });
      expect(mailConfig().verifyUrl).toBe('https://app.example.com/verify#{token}');
    });
  });

  describe('KEY_ENCRYPTION_KEY', () => {
    it('outside production, is generated once into ./data/, apart from the secret key', () => {
      const first = authConfig();
      const file = join(dir, 'data', '.key_encryption_key');
      expect(readFileSync(file, 'utf8').trim()).toBe(first.keyEncryptionKey);
      expect(statSync(file).mode & 0o077).toBe(0);
      expect(first.keyEncryptionKey).not.toBe(first.secretKey);
      expect(authConfig().keyEncryptionKey).toBe(first.keyEncryptionKey);
    });
  });

  describe('SECRET_KEY', () => {
    it('outside production, is generated once and kept in ./data/.secret_key', () => {
      const first = authConfig().secretKey;
      expect(first.length).toBeGreaterThanOrEqual(32);
      const file = join(dir, 'data', '.secret_key');
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8').trim()).toBe(first);
      expect(statSync(file).mode & 0o077).toBe(0);
      expect(authConfig().secretKey).toBe(first);
    });

    it('outside production, a configured key wins and nothing is written', () => {
      set({ SECRET_KEY: 'short-but-fine-in-development' });
      expect(authConfig().secretKey).toBe('short-but-fine-in-development');
      expect(existsSync(join(dir, 'data', '.secret_key'))).toBe(false);
    });

    describe('in production', () => {
      beforeEach(() => set({ NODE_ENV: 'production' }));

      it('is required', () => {
        expect(() => authConfig()).toThrow(
          'Invalid configuration: SECRET_KEY is required when NODE_ENV=production',
        );
        expect(existsSync(join(dir, 'data', '.secret_key'))).toBe(false);
      });

      it.each(['mysecretkey', 'MySecretKey', 'changeme'])(
        'refuses the sample value "%s"',
        (key) => {
          set({ SECRET_KEY: key });
          expect(() => authConfig()).toThrow(/SECRET_KEY is a sample value/);
        },
      );

      it('refuses a key shorter than 32 characters', () => {
        set({ SECRET_KEY: 'x'.repeat(31) });
        expect(() => authConfig()).toThrow(/SECRET_KEY must be at least 32 characters/);
      });

      it('accepts a long random key', () => {
        set({ SECRET_KEY: A_GOOD_SECRET, KEY_ENCRYPTION_KEY: A_GOOD_KEK });
        expect(authConfig().secretKey).toBe(A_GOOD_SECRET);
      });

      it.each([
        [undefined, /KEY_ENCRYPTION_KEY is required when NODE_ENV=production/],
        ['changeme', /KEY_ENCRYPTION_KEY is a sample value/],
        ['x'.repeat(31), /KEY_ENCRYPTION_KEY must be at least 32 characters/],
        [A_GOOD_SECRET, /KEY_ENCRYPTION_KEY must differ from SECRET_KEY/],
      ])('refuses KEY_ENCRYPTION_KEY=%s', (kek, message) => {
        set({
          SECRET_KEY: A_GOOD_SECRET,
          ...(kek === undefined ? {} : { KEY_ENCRYPTION_KEY: kek }),
        });
        expect(() => authConfig()).toThrow(message);
        expect(existsSync(join(dir, 'data', '.key_encryption_key'))).toBe(false);
      });

      it('stops logging mail links', () => {
        expect(mailConfig().logLinks).toBe(false);
      });
    });
  });
});
