// Simulated servers inside pods and the clients that reach them: a request is a function call, no sockets.
export interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The caller's IP, for access logs. */
  remote: string;
  body?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type HttpHandler = (req: HttpRequest) => HttpResponse | Promise<HttpResponse>;

/** Finds the server listening at host:port as seen from a pod; undefined means connection refused. */
export type Resolver = (host: string, port: number) => Resolved | Promise<Resolved>;
export type Resolved = HttpHandler | undefined | 'unknown-host';

export const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Not Allowed', 500: 'Internal Server Error', 503: 'Service Unavailable',
};
