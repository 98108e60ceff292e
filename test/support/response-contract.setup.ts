// Every response an e2e test's app sends is checked against that app's OpenAPI document (see
// response-watch.ts); a mismatch fails the test during which it was sent.
import { takeMismatches } from './response-watch';

function failOnMismatches(): void {
  const mismatches = takeMismatches();
  if (mismatches.length > 0) {
    throw new Error(
      `${mismatches.length} response(s) broke the OpenAPI document:\n\n${mismatches.join('\n\n')}`,
    );
  }
}

afterEach(failOnMismatches);
// Responses sent in beforeAll/afterAll hooks fail the suite.
afterAll(failOnMismatches);
