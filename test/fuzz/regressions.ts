// Shrunk counterexamples the fuzzer found, replayed on every run with the status kube-apiserver answers.
import { FUZZ_GROUP } from './objects.js';
import type { FuzzRequest } from './server.js';

const json = { 'content-type': 'application/json' };
const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

export const REGRESSIONS: Array<{ request: FuzzRequest; status: number }> = [
  // A malformed escape in the path was a URIError, answered 500.
  { request: { method: 'GET', path: '/api/v1/namespaces/%zz/pods' }, status: 400 },
  // A path starting with `//` was parsed as a URL with a host, which threw "Invalid URL" (500).
  { request: { method: 'PATCH', path: '///%F0%B3%BF%A5', headers: { 'content-type': 'application/yaml' }, body: '- - x' }, status: 404 },
  // Bodies nested thousands deep overflowed the stack of the recursive decoders (500).
  { request: { method: 'PUT', path: '/apis/apps/v1/namespaces/default/deployments/web', headers: json, body: deep(10_000) }, status: 400 },
  { request: { method: 'POST', path: '/api/v1/namespaces/default/configmaps', headers: { 'content-type': 'application/yaml' }, body: `${'- '.repeat(5000)}x` }, status: 400 },
  // Custom resources parse raw JSON late: a truncated body threw a SyntaxError there (500).
  { request: { method: 'PUT', path: `/apis/${FUZZ_GROUP}/v1/namespaces/default/widgets/web/status`, headers: json, body: '{"apiVersion":"fuzz' }, status: 400 },
  { request: { method: 'POST', path: `/apis/${FUZZ_GROUP}/v1/namespaces/default/widgets`, headers: json, body: '{"kind":"Widget",' }, status: 400 },
  // A fractional ?limit= set an array's length to 1.5 (500); kube-apiserver cannot decode it into an int64.
  { request: { method: 'GET', path: '/apis/policy/v1/namespaces/default/poddisruptionbudgets?limit=1.5' }, status: 400 },
];
