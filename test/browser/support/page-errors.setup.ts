// A page error, console error or CSP violation in any page a browser test opened (openPage)
// fails the test during which it happened.
import { takeAllPageErrors } from './browser';

function failOnPageErrors(): void {
  const errors = takeAllPageErrors();
  if (errors.length > 0) {
    throw new Error(`The page reported ${errors.length} error(s):\n  ${errors.join('\n  ')}`);
  }
}

afterEach(failOnPageErrors);
afterAll(failOnPageErrors);
