// npm run client:generate: regenerates clients/typescript/schema.d.ts from the app's OpenAPI
// document, built in this process (no server, no database to run). Keys are sorted and the file
// is formatted with the repository's prettier settings, so generating an unchanged API twice gives
// the same bytes: CI regenerates it and fails when the committed file differs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';
import { format, resolveConfig } from 'prettier';
import { buildOpenApiDocumentOffline, runScript } from './openapi';

const TARGET = join(__dirname, '..', 'clients', 'typescript', 'schema.d.ts');

runScript(async () => {
  const document = await buildOpenApiDocumentOffline();
  const ast = await openapiTS(document as OpenAPI3, {
    alphabetize: true,
    // A property with a default (login's `force`) stays optional, as the document says.
    defaultNonNullable: false,
    silent: true,
  });
  const source = `${COMMENT_HEADER.replace(
    ' */',
    ' * Regenerate with `npm run client:generate`.\n */',
  )}${astToString(ast)}`;
  const prettier = await resolveConfig(TARGET);
  writeFileSync(TARGET, await format(source, { ...prettier, filepath: TARGET }));
});
