import { getMetadataStorage } from 'class-validator';
import {
  LoginRequest,
  MfaLoginRequest,
  RefreshRequest,
  SignupRequest,
} from '../src/auth/dto/auth.dto';
import { ConfirmTotpRequest, MfaChangeRequest, MfaPasswordRequest } from '../src/mfa/dto/mfa.dto';
import {
  ChangePasswordRequest,
  ForgotPasswordRequest,
  ResetPasswordRequest,
} from '../src/password/dto/password.dto';
import { PASSWORD_MAX_LENGTH } from '../src/users/password-policy';
import {
  ConfirmVerificationRequest,
  SendVerificationRequest,
} from '../src/verification/dto/verification.dto';
import { startTestApp, TestApp } from './support/test-app';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema> };
interface Operation {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; schema?: Schema }>;
  responses: Record<
    string,
    { content?: Record<string, { schema?: Schema; examples?: Record<string, { value: Schema }> }> }
  >;
}
interface Document {
  servers?: Array<{ url: string }>;
  tags?: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const REQUEST_BODIES = [
  SignupRequest,
  LoginRequest,
  RefreshRequest,
  ForgotPasswordRequest,
  ResetPasswordRequest,
  ChangePasswordRequest,
  SendVerificationRequest,
  ConfirmVerificationRequest,
  MfaLoginRequest,
  MfaPasswordRequest,
  ConfirmTotpRequest,
  MfaChangeRequest,
];

/** The schema limits each class-validator rule implies; a rule not listed here fails the test. */
function limitsOf(dto: new () => unknown): Record<string, Schema> {
  const limits: Record<string, Schema> = {};
  for (const rule of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    const field = (limits[rule.propertyName] ??= {});
    const [first, second] = (rule.constraints ?? []) as unknown[];
    switch (rule.name ?? rule.type) {
      case 'isString':
      case 'isAscii':
        field.type = 'string';
        break;
      case 'isBoolean':
        field.type = 'boolean';
        break;
      case 'isLength':
        Object.assign(field, { minLength: first, maxLength: second });
        break;
      case 'maxLength':
        field.maxLength = first;
        break;
      case 'isEmail':
        field.format = 'email';
        break;
      case 'matches':
        field.pattern = (first as RegExp).source;
        break;
      case 'passwordLength':
        Object.assign(field, { minLength: 1, maxLength: PASSWORD_MAX_LENGTH });
        break;
      case 'isOptional':
      case 'conditionalValidation':
        break;
      default:
        throw new Error(`${dto.name}.${rule.propertyName}: no schema mapping for ${rule.name}`);
    }
  }
  return limits;
}

describe('The OpenAPI document', () => {
  let t: TestApp;
  let document: Document;
  const operations: Array<[string, string, Operation]> = [];

  beforeAll(async () => {
    t = await startTestApp({ APP_URL: 'https://auth.example.test' });
    document = (await t.http.get('/docs-json').expect(200)).body as Document;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        operations.push([method, path, operation]);
      }
    }
  });
  afterAll(() => t.close());

  it('names APP_URL as its server', () => {
    expect(document.servers).toEqual([{ url: 'https://auth.example.test' }]);
  });

  it('gives every operation a summary and declared tags, and public ones security: []', () => {
    const declared = new Set((document.tags ?? []).map((tag) => tag.name));
    const bare = operations.filter(([, , op]) => !op.summary || !op.tags?.length);
    expect(bare.map(([method, path]) => `${method} ${path}`)).toEqual([]);
    for (const [, , op] of operations) {
      for (const tag of op.tags ?? []) expect(declared).toContain(tag);
      expect(op.security).toBeDefined();
    }
    expect(document.paths['/auth/login'].post.security).toEqual([]);
    expect(document.paths['/health/live'].get.security).toEqual([]);
    expect(document.paths['/auth/logout'].post.security).toEqual([{ bearer: [] }]);
  });

  it('declares every error as problem details, each example with a code of its status', () => {
    for (const [method, path, op] of operations) {
      expect({ [`${method} ${path}`]: Object.keys(op.responses) }).toEqual({
        [`${method} ${path}`]: expect.arrayContaining(['500']),
      });
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400 || (path === '/health/ready' && status === '503')) continue;
        const content = response.content ?? {};
        expect(Object.keys(content)).toEqual(['application/problem+json']);
        const problem = content['application/problem+json'];
        expect(problem.schema).toEqual({ $ref: '#/components/schemas/ProblemResponse' });
        const examples = Object.entries(problem.examples ?? {});
        expect(examples.length).toBeGreaterThan(0);
        for (const [code, example] of examples) {
          expect(example.value).toMatchObject({ status: Number(status), code });
        }
      }
    }
  });

  it.each([
    ['post', '/auth/signup', ['400', '409', '413', '415', '429', '500', '503']],
    ['post', '/auth/login', ['400', '401', '403', '409', '413', '415', '429', '500', '503']],
    ['post', '/auth/refresh', ['400', '401', '403', '413', '415', '429', '500', '503']],
    ['post', '/auth/logout', ['400', '401', '403', '413', '415', '500', '503']],
    ['post', '/verify/confirm', ['400', '413', '415', '429', '500', '503']],
    ['post', '/password/change', ['400', '401', '413', '415', '429', '500', '503']],
    ['post', '/auth/login/mfa', ['400', '401', '403', '409', '413', '415', '429', '500', '503']],
    ['post', '/mfa/totp/setup', ['400', '401', '409', '413', '415', '500', '503']],
    ['post', '/mfa/totp/confirm', ['400', '401', '409', '413', '415', '500', '503']],
    ['get', '/mfa', ['401', '500', '503']],
    ['get', '/audit/me', ['400', '401', '500', '503']],
  ])('lists every problem status of %s %s', (method, path, statuses) => {
    const listed = Object.keys(document.paths[path][method].responses);
    expect(listed.filter((status) => Number(status) >= 400).sort()).toEqual(statuses);
  });

  it('lists 503 SERVICE_UNAVAILABLE with Retry-After wherever the database or Redis is used', () => {
    // These never touch a store (the key set and the providers are in memory); /health/ready
    // answers its own 503.
    const storeless = [
      'get /',
      'get /auth/oauth/providers',
      'get /health/live',
      'get /verify/confirm',
      'get /password/reset',
      'get /.well-known/jwks.json',
    ];
    for (const [method, path, op] of operations) {
      const unavailable = op.responses['503'] as
        | (Operation['responses'][string] & { headers?: Record<string, { required?: boolean }> })
        | undefined;
      const name = `${method} ${path}`;
      if (storeless.includes(name)) {
        expect({ [name]: unavailable }).toEqual({ [name]: undefined });
      } else if (name !== 'get /health/ready') {
        const examples = unavailable?.content?.['application/problem+json']?.examples ?? {};
        expect({ [name]: Object.keys(examples) }).toEqual({
          [name]: expect.arrayContaining(['SERVICE_UNAVAILABLE']),
        });
        expect({ [name]: unavailable?.headers?.['Retry-After']?.required }).toEqual({
          [name]: true,
        });
      }
    }
    const login = document.paths['/auth/login'].post.responses['503'].content ?? {};
    expect(Object.keys(login['application/problem+json'].examples ?? {}).sort()).toEqual([
      'BUSY',
      'SERVICE_UNAVAILABLE',
    ]);
  });

  it('documents the pages as HTML and their token as a string', () => {
    for (const path of ['/verify/confirm', '/password/reset']) {
      const page = document.paths[path].get;
      expect(page.responses['200'].content?.['text/html']?.schema).toEqual({ type: 'string' });
      expect(page.parameters?.find((p) => p.name === 'token')?.schema).toEqual({ type: 'string' });
    }
    const live = document.paths['/health/live'].get.responses['200'].content;
    expect(live?.['application/json']?.schema).toBeDefined();
  });

  it.each(REQUEST_BODIES.map((dto) => [dto.name, dto] as const))(
    '%s carries every limit its validators enforce, and refuses unknown fields',
    (name, dto) => {
      const schema = document.components.schemas[name];
      expect(schema.additionalProperties).toBe(false);
      for (const [field, limits] of Object.entries(limitsOf(dto))) {
        expect({ [field]: schema.properties?.[field] }).toEqual({
          [field]: expect.objectContaining(limits),
        });
      }
    },
  );
});
