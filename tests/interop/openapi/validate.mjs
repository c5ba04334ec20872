// Checks spidi-server's OpenAPI document with third-party tools (tst_openapi_interop):
//  1. @apidevtools/swagger-parser validates it against the OpenAPI 3.0 schema and resolves
//     every $ref;
//  2. every recorded response (samples.json: operationId, status, content type, body, taken
//     from the real server by the test) is validated with Ajv against the schema the document
//     gives for that operation and status.
// Usage: node validate.mjs openapi.json samples.json. Prints one line per check; exit 1 on any
// failure.
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';

const [docPath, samplesPath] = process.argv.slice(2);
const document = JSON.parse(readFileSync(docPath, 'utf8'));
const samples = JSON.parse(readFileSync(samplesPath, 'utf8'));
let failures = 0;

await SwaggerParser.validate(structuredClone(document));
console.log('document: valid OpenAPI ' + document.openapi);
const api = await SwaggerParser.dereference(structuredClone(document));

const operations = new Map();
for (const [path, item] of Object.entries(api.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    if (method !== 'parameters') operations.set(operation.operationId, { path, method, operation });
  }
}

// OpenAPI 3.0 schema objects are JSON Schema with extras: `nullable` (Ajv knows it),
// `example` and `readOnly` (annotations).
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);

for (const sample of samples) {
  const found = operations.get(sample.operationId);
  const label = `${sample.operationId} ${sample.status}`;
  if (!found) {
    console.log(`FAIL ${label}: no such operation in the document`);
    failures++;
    continue;
  }
  const response = found.operation.responses[String(sample.status)];
  if (!response) {
    console.log(`FAIL ${label}: status not documented for ${found.method.toUpperCase()} ${found.path}`);
    failures++;
    continue;
  }
  if (!response.content) {
    const ok = sample.body === null;
    console.log(`${ok ? 'ok' : 'FAIL'} ${label}: no body documented${ok ? '' : ', one received'}`);
    if (!ok) failures++;
    continue;
  }
  const mediaType = sample.contentType.split(';')[0].trim();
  const media = response.content[mediaType];
  if (!media) {
    console.log(`FAIL ${label}: content type ${mediaType} not documented (${Object.keys(response.content)})`);
    failures++;
    continue;
  }
  const validate = ajv.compile(media.schema);
  if (validate(sample.body)) {
    console.log(`ok ${label}`);
  } else {
    console.log(`FAIL ${label}: ${ajv.errorsText(validate.errors)}`);
    failures++;
  }
}
console.log(`${samples.length} responses checked, ${failures} failure(s)`);
process.exit(failures === 0 ? 0 : 1);
