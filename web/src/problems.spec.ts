import { DomainError, Errors, TOKEN_REFUSALS } from '../../src/common/errors';
import { codeForStatus } from '../../src/common/problem-details';
import { SENTENCES, sentenceFor } from './problems';

/** Every code the API can answer: its domain errors and the problem filter's plain refusals. */
function codesTheApiAnswers(): string[] {
  const errors: DomainError[] = Object.entries(Errors).flatMap(([name, factory]) =>
    name === 'unauthorized'
      ? TOKEN_REFUSALS.map((code) => Errors.unauthorized(code))
      : [(factory as (...args: unknown[]) => DomainError)([], 'detail')],
  );
  const codes = errors.map((error) => error.code);
  for (let status = 400; status < 600; status += 1) codes.push(codeForStatus(status));
  return [...new Set(codes)].sort();
}

describe("the dashboard's problem sentences", () => {
  it('has a sentence for every code the API can answer', () => {
    const missing = codesTheApiAnswers().filter((code) => !(code in SENTENCES));
    expect(missing).toEqual([]);
  });

  it('says something plain for a code it does not know', () => {
    expect(sentenceFor('SOMETHING_NEW')).toBe(SENTENCES.REQUEST_FAILED);
  });
});
