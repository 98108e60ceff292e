import type { Response } from 'supertest';

/** Strings that break naive SQL, NoSQL, template engines, HTML, paths or C strings. */
export const INJECTION_STRINGS = [
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '{"$gt":""}',
  '{{7*7}}',
  '${7*7}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '\u0000',
] as const;

/** Values of the wrong JSON type where a string belongs. */
export const NOT_STRINGS: unknown[] = [{}, { $gt: '' }, [], ['a@example.com'], 42, true, null];

/** Emails that try to add recipients or headers to an outgoing mail. */
export const HEADER_INJECTIONS = [
  'victim@example.com\r\nBcc: x@evil.test',
  'victim@example.com\nBcc: x@evil.test',
  'victim@example.com\rBcc: x@evil.test',
  'victim@example.com\r\n\r\nInjected body',
  'victim@example.com%0d%0aBcc:x@evil.test',
  'victim@example.com,x@evil.test',
  'victim@example.com;x@evil.test',
  'victim@example.com x@evil.test',
  'Victim <victim@example.com>',
  '"Victim" <victim@example.com>',
  'victim@example.com <x@evil.test>',
  '=?utf-8?Q?x=40evil.test?= <victim@example.com>',
];

// Stack frames, driver and ORM words, file paths: none of these may reach a client.
const LEAK_WORDS =
  /\bstack\b|sqlite|\bER_[A-Z_]+|QueryFailed|typeorm|mysql|mariadb|better-sqlite|\bat \/|\/src\/|\/node_modules\/|\.ts:\d+|\.js:\d+|Error:|Cannot read|undefined is not/i;
const SQL_WORDS = /\b(SELECT|INSERT INTO|UPDATE .* SET|DELETE FROM|WHERE)\b/;

/** The body says nothing internal, and echoes none of the given secrets. */
export function expectNoLeak(response: Response, ...secrets: string[]): void {
  expect(response.text).not.toMatch(LEAK_WORDS);
  expect(response.text).not.toMatch(SQL_WORDS);
  for (const secret of secrets) expect(response.text).not.toContain(secret);
}

/** An RFC 9457 body with the given status (and code), that leaks nothing. */
export function expectProblem(response: Response, status: number, code?: string): void {
  expect({ status: response.status, code: response.body?.code }).toEqual({
    status,
    code: code ?? response.body?.code,
  });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    code: expect.any(String),
  });
  expect(response.body.request_id).toBe(response.headers['x-request-id']);
  expectNoLeak(response);
}

/** A validation problem whose errors[] names the field. */
export function expectFieldRefused(response: Response, field: string): void {
  expectProblem(response, 400, 'VALIDATION_FAILED');
  const fields = (response.body.errors as Array<{ field: string }>).map((error) => error.field);
  expect(fields).toContain(field);
}

/** The body minus the fields that differ per request (request id), for "the same answer". */
export function sameAnswerPart(response: Response): Record<string, unknown> {
  const rest = { ...((response.body ?? {}) as Record<string, unknown>) };
  delete rest.request_id;
  return {
    status: response.status,
    contentType: response.headers['content-type'],
    body: rest,
  };
}

/** ASCII to its full-width form (NFKC maps it back). */
export function fullWidth(value: string): string {
  return value.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
