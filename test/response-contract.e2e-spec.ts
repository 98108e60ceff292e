import { Controller, Get, Module } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { AppModule } from '../src/app.module';
import { ApiPublic } from '../src/common/api-docs';
import { Public } from '../src/common/public.decorator';
import { appConfig } from '../src/config/app.config';
import { buildOpenApiDocument } from '../src/http';
import { ObservedResponse, ResponseContract } from './support/openapi-responses';
import { takeMismatches } from './support/response-watch';
import { startTestApp, TestApp } from './support/test-app';

/** A route whose answer its document does not describe (it says 200 has no body). */
@Public()
@Controller('drift')
class DriftController {
  @Get()
  @ApiPublic({ summary: 'Answers more than it documents' })
  @ApiOkResponse({ description: 'Nothing' })
  drift(): { surprise: true } {
    return { surprise: true };
  }
}

@Module({ imports: [AppModule], controllers: [DriftController] })
class AppWithDrift {}

const PROBLEM = 'application/problem+json; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';

function response(overrides: Partial<ObservedResponse>): ObservedResponse {
  return {
    method: 'GET',
    url: '/',
    route: '/',
    status: 200,
    headers: { 'content-type': JSON_TYPE },
    body: JSON.stringify({ status: 'ok', name: 'nest-auth-service', version: '0.1.0' }),
    ...overrides,
  };
}

/** `METHOD /route` answering a problem with this status and code. */
function problemAnswer(
  operation: string,
  status: number,
  code: string,
  headers: ObservedResponse['headers'] = {},
): ObservedResponse {
  const [method, route] = operation.split(' ');
  const body = { type: '/problems/x', title: 'Error', status, detail: 'Refused', code };
  return response({
    method,
    url: route,
    route,
    status,
    headers: { 'content-type': PROBLEM, ...headers },
    body: JSON.stringify(body),
  });
}

describe('The response contract check', () => {
  let t: TestApp;
  let contract: ResponseContract;

  beforeAll(async () => {
    t = await startTestApp({}, AppWithDrift);
    contract = new ResponseContract(buildOpenApiDocument(t.app, t.app.get(appConfig.KEY)));
  });
  afterAll(() => t.close());

  it('passes a response its document describes', () => {
    expect(contract.problemsWith(response({}))).toEqual([]);
    const refused = problemAnswer('GET /users/me', 503, 'SERVICE_UNAVAILABLE', {
      'retry-after': '5',
    });
    expect(contract.problemsWith(refused)).toEqual([]);
  });

  it('reports a body that breaks the schema', () => {
    const problems = contract.problemsWith(
      response({ body: JSON.stringify({ status: 'ok', version: 1 }) }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        "body must have required property 'name'",
        'body/version must be string',
      ]),
    );
  });

  it('reports a field the document does not name', () => {
    const body = { status: 'ok', name: 'nest-auth-service', version: '0.1.0', debug: true };
    expect(contract.problemsWith(response({ body: JSON.stringify(body) }))).toEqual([
      'body must NOT have additional properties',
    ]);
  });

  it('reports a problem code the status has no example of', () => {
    const problems = contract.problemsWith(problemAnswer('GET /users/me', 401, 'EMAIL_TAKEN'));
    expect(problems).toEqual([
      'code EMAIL_TAKEN has no example (documented: TOKEN_INVALID, TOKEN_EXPIRED, ' +
        'SESSION_ENDED, SESSION_REPLACED, SESSION_REVOKED)',
    ]);
  });

  it('reports a status the operation does not list, even a plausible one', () => {
    expect(contract.problemsWith(response({ status: 404 }))).toEqual([
      'status 404 is not documented (listed: 200, 500)',
    ]);
  });

  it('reports a content type the status does not list, and a body that is not JSON', () => {
    expect(
      contract.problemsWith(response({ headers: { 'content-type': 'text/plain' }, body: 'ok' })),
    ).toEqual(['content type text/plain is not documented (listed: application/json)']);
    expect(contract.problemsWith(response({ body: '{"status":' }))).toEqual([
      'the application/json body is not JSON',
    ]);
  });

  it('reports a missing Retry-After where the document requires it', () => {
    const problems = contract.problemsWith(problemAnswer('POST /auth/login', 503, 'BUSY'));
    expect(problems).toEqual(['the documented header Retry-After is missing']);
  });

  it('reports an operation the document does not have', () => {
    const problems = contract.problemsWith(
      response({ method: 'DELETE', url: '/session/active', route: '/session/active' }),
    );
    expect(problems).toEqual(['the document has no operation DELETE /session/active']);
  });

  it('catches a real response that drifted from its document, however it was requested', async () => {
    expect(takeMismatches()).toEqual([]);
    await t.http.get('/drift').expect(200);
    await t.app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/drift' });
    // Taken here, so this test does not fail for them; any other test would.
    const mismatches = takeMismatches();
    expect(mismatches).toHaveLength(2);
    for (const mismatch of mismatches) {
      expect(mismatch).toContain('GET /drift answered 200 application/json');
      expect(mismatch).toContain('the document lists no content for it');
      expect(mismatch).toContain('body: {"surprise":true}');
    }
  });
});
