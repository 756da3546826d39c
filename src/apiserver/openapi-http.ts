// HTTP caching for the OpenAPI documents, as kube-apiserver does it: an ETag with 304 answers, and URLs that
// carry the document's `?hash=` are immutable (a stale hash is redirected to the current one).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../api/errors.js';
import type { OpenApiDocument } from './openapi-docs.js';

/** Does the client want the protobuf form of /openapi/v2 (kubectl up to 1.28 asks only for that)? */
export function wantsProtobuf(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('protobuf') && !/application\/json/.test(accept);
}

export function sendOpenApi(req: IncomingMessage, res: ServerResponse, url: URL, doc: OpenApiDocument): void {
  const accept = req.headers.accept;
  if (accept && !/application\/json|\*\/\*|application\/\*/.test(accept) && !(doc.contentType && accept.includes('protobuf'))) {
    throw errors.notAcceptable('only the following media types are accepted: application/json');
  }
  const hash = url.searchParams.get('hash');
  const current = doc.etag.slice(1, -1);
  if (hash !== null && hash !== current) {
    url.searchParams.set('hash', current);
    res.writeHead(301, { Location: `${url.pathname}?${url.searchParams}`, 'Cache-Control': 'no-cache, private' });
    res.end();
    return;
  }
  const headers: Record<string, string | number> = {
    ETag: doc.etag,
    'Cache-Control': hash !== null ? 'public, immutable' : 'no-cache, private',
    'Content-Type': doc.contentType ?? 'application/json',
  };
  if (req.headers['if-none-match'] === doc.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(doc.text) });
  res.end(doc.text);
}
