import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError, Errors, TOKEN_REFUSALS } from './errors';
import { codeForStatus } from './problem-details';

/** Every status + code a client can get: the domain errors and the filter's plain 4xx refusals. */
function codesOfTheCode(): Set<string> {
  const errors: DomainError[] = Object.entries(Errors).flatMap(([name, factory]) =>
    name === 'unauthorized'
      ? TOKEN_REFUSALS.map((code) => Errors.unauthorized(code, 'why'))
      : [(factory as (...args: unknown[]) => DomainError)([], 'detail')],
  );
  const answers = errors.map((error) => `${error.status} ${error.code}`);
  for (let status = 400; status < 500; status += 1) {
    const code = codeForStatus(status);
    answers.push(`${code === 'REQUEST_FAILED' ? '4xx' : status} ${code}`);
  }
  return new Set(answers);
}

/** The rows of docs/errors.md's table: `| 409 | `EMAIL_TAKEN`, `USERNAME_TAKEN` | ... |`. */
function codesOfTheDocs(): Set<string> {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Codes'));
  const answers = new Set<string>();
  for (const match of section.matchAll(/^\|\s*(\d{3}|4xx)\s*\|([^|]+)\|/gm)) {
    for (const code of match[2].matchAll(/`([A-Z_]+)`/g)) answers.add(`${match[1]} ${code[1]}`);
  }
  return answers;
}

describe('the error-code table in docs/errors.md', () => {
  it('lists every code the service can answer, and only those', () => {
    expect([...codesOfTheDocs()].sort()).toEqual([...codesOfTheCode()].sort());
  });
});
