import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** One response as the server sent it. */
export interface ObservedResponse {
  method: string;
  /** The request target, for messages. */
  url: string;
  /** The route that answered, as Fastify names it (`/users/:id`); undefined when none matched. */
  route: string | undefined;
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | number | undefined>;
  /** The body's text; undefined when it is streamed (static files), which is not checked. */
  body: string | undefined;
}

interface Allowed {
  reason: string;
  matches(response: ObservedResponse): boolean;
}

/**
 * Responses that are not operations of the API, so the document does not describe them.
 * Add one only for such a response, with the reason in one line.
 */
export const NOT_API_OPERATIONS: Allowed[] = [
  {
    reason: 'Swagger UI and the document itself (/docs, its assets, /docs-json)',
    matches: (r) => r.route !== undefined && /^\/docs(\/|-json|-yaml|$)/.test(r.route),
  },
  {
    reason: "the link pages' CSS and script (PagesController, excluded from the document)",
    matches: (r) => r.route === '/assets/:name',
  },
  {
    reason: 'the account dashboard: its page and assets (DashboardController, excluded)',
    matches: (r) => r.route !== undefined && /^\/app(\/|$)/.test(r.route),
  },
  {
    reason: 'a request no route matched: the not-found problem, not an operation',
    matches: (r) => r.route === undefined && r.status === 404,
  },
  {
    reason: "a CORS preflight, answered by @fastify/cors's catch-all OPTIONS route",
    matches: (r) => r.method === 'OPTIONS' && r.route === '*',
  },
];

const METHODS_WITHOUT_BODY = new Set(['HEAD']);

/** `/users/:id` (Fastify) as the document writes it, `/users/{id}`. */
const templateOf = (route: string) => route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const mediaTypeOf = (header: ObservedResponse['headers'][string]) =>
  typeof header === 'string' ? header.split(';')[0].trim().toLowerCase() : undefined;

const isJson = (mediaType: string) =>
  mediaType === 'application/json' || mediaType.endsWith('+json');

const clip = (text: string, max = 600) =>
  text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;

const describeErrors = (errors: ErrorObject[] | null | undefined) =>
  (errors ?? []).map((e) => `body${e.instancePath} ${e.message ?? ''}`.trim());

/** A copy whose `#/components/schemas/X` references resolve in the schema added as "openapi". */
const withLocalRefs = <T>(schema: T): T =>
  JSON.parse(
    JSON.stringify(schema).replace(/"#\/components\/schemas\//g, '"openapi#/definitions/'),
  ) as T;

/**
 * A field the document does not name is a mismatch too (a generated client would drop it):
 * object schemas with properties and no word on others get additionalProperties: false.
 */
function closeObjects(schema: SchemaObject): void {
  nullableReference(schema);
  if (schema.properties && schema.additionalProperties === undefined) {
    schema.additionalProperties = false;
  }
  const nested = [
    ...Object.values(schema.properties ?? {}),
    ...[schema.items, schema.additionalProperties],
    ...(schema.allOf ?? []),
    ...(schema.oneOf ?? []),
    ...(schema.anyOf ?? []),
  ];
  for (const child of nested) {
    if (typeof child === 'object' && child !== null && !('$ref' in child)) closeObjects(child);
  }
}

/**
 * `{nullable: true, allOf: [{$ref}]}`, how @nestjs/swagger writes a nullable object property, is
 * read as openapi-typescript and Swagger UI read it: null, or that object. (JSON Schema alone
 * would still apply the allOf to null.)
 */
function nullableReference(schema: SchemaObject): void {
  if (!schema.nullable || !schema.allOf) return;
  const alternatives = [{ type: 'null' }, { allOf: schema.allOf }] as SchemaObject[];
  delete schema.nullable;
  delete schema.type;
  delete schema.allOf;
  schema.anyOf = alternatives;
}

/** Problems are documented with one example per code: a code without one is undocumented. */
function undocumentedCode(examples: Record<string, unknown> | undefined, body: unknown): string[] {
  const code = (body as { code?: unknown } | null)?.code;
  if (!examples || typeof code !== 'string' || code in examples) return [];
  return [`code ${code} has no example (documented: ${Object.keys(examples).join(', ')})`];
}

/**
 * Checks responses against an OpenAPI 3.0 document: the operation (method + path template) is
 * documented, so is the status (a `default` response does not count), the content type is one
 * the status lists, its required headers are present, the body matches its schema and a
 * problem's code is one of the status's examples.
 * Each schema is compiled once, on first use.
 */
export class ResponseContract {
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenAPIObject) {
    this.ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(this.ajv);
    // OpenAPI 3.0 annotations that JSON Schema does not know (nullable is built into ajv).
    this.ajv.addVocabulary(['example', 'xml', 'externalDocs']);
    const schemas = withLocalRefs(document.components?.schemas ?? {}) as Record<
      string,
      SchemaObject
    >;
    Object.values(schemas).forEach(closeObjects);
    this.ajv.addSchema({ $id: 'openapi', definitions: schemas });
  }

  /** What is wrong with the response, one line each; empty when it matches the document. */
  problemsWith(response: ObservedResponse): string[] {
    if (NOT_API_OPERATIONS.some((allowed) => allowed.matches(response))) return [];
    if (response.route === undefined) return ['no route answered it, and it is not a 404'];
    const path = templateOf(response.route);
    const method = response.method === 'HEAD' ? 'get' : response.method.toLowerCase();
    const operation = (this.document.paths[path] as Record<string, OperationObject> | undefined)?.[
      method
    ];
    if (!operation) return [`the document has no operation ${method.toUpperCase()} ${path}`];
    const documented = operation.responses[String(response.status)] as ResponseObject | undefined;
    if (!documented) {
      const listed = Object.keys(operation.responses).join(', ');
      return [`status ${response.status} is not documented (listed: ${listed})`];
    }
    return [
      ...this.missingHeaders(documented, response),
      ...this.contentProblems(`${method} ${path} ${response.status}`, documented, response),
    ];
  }

  private missingHeaders(documented: ResponseObject, response: ObservedResponse): string[] {
    return Object.entries(documented.headers ?? {})
      .filter(([, header]) => 'required' in header && header.required)
      .filter(([name]) => response.headers[name.toLowerCase()] === undefined)
      .map(([name]) => `the documented header ${name} is missing`);
  }

  private contentProblems(
    key: string,
    documented: ResponseObject,
    response: ObservedResponse,
  ): string[] {
    const content = documented.content;
    const mediaType = mediaTypeOf(response.headers['content-type']);
    const withoutBody = METHODS_WITHOUT_BODY.has(response.method) || response.body === undefined;
    if (!content || Object.keys(content).length === 0) {
      return !withoutBody && response.body !== ''
        ? [
            `the document lists no content for it, but it has a body (${mediaType ?? 'no content type'})`,
          ]
        : [];
    }
    if (!mediaType || !content[mediaType]) {
      const listed = Object.keys(content).join(', ');
      return [`content type ${mediaType ?? '(none)'} is not documented (listed: ${listed})`];
    }
    if (withoutBody) return [];
    const schema = content[mediaType].schema;
    if (!schema) return [];
    let body: unknown = response.body;
    if (isJson(mediaType)) {
      try {
        body = JSON.parse(response.body as string);
      } catch {
        return [`the ${mediaType} body is not JSON`];
      }
    }
    const validate = this.validatorFor(`${key} ${mediaType}`, schema as SchemaObject);
    if (!validate(body)) return describeErrors(validate.errors);
    return undocumentedCode(content[mediaType].examples, body);
  }

  private validatorFor(key: string, schema: SchemaObject): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      const own = withLocalRefs(schema);
      closeObjects(own);
      validate = this.ajv.compile(own);
      this.validators.set(key, validate);
    }
    return validate;
  }
}

/** The mismatch as a test failure should read: the request, the answer, what broke, the body. */
export function mismatchMessage(response: ObservedResponse, problems: string[]): string {
  return [
    `${response.method} ${response.url} answered ${response.status} ` +
      `${String(response.headers['content-type'] ?? '(no content type)')}, ` +
      'which the OpenAPI document does not allow:',
    ...problems.map((problem) => `  - ${problem}`),
    `  body: ${response.body === undefined ? '(streamed)' : clip(response.body) || '(empty)'}`,
  ].join('\n');
}
