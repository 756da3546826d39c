// API errors as kube-apiserver reports them: an HTTP code plus a metav1.Status body kubectl knows how to print.
import { qualifiedResource, type ResourceDescriptor } from './descriptor.js';
import type { FieldError, Status, StatusDetails } from './types.js';

export class ApiError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details) this.status.details = details;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

type Res = Pick<ResourceDescriptor, 'group' | 'plural' | 'kind'>;

function resDetails(d: Res, name: string): StatusDetails {
  const details: StatusDetails = { name, kind: d.plural };
  if (d.group) details.group = d.group;
  return details;
}

/** `Deployment.apps` / `Pod`: the qualified kind used in Invalid messages. */
export function qualifiedKind(d: Pick<ResourceDescriptor, 'group' | 'kind'>): string {
  return d.group ? `${d.kind}.${d.group}` : d.kind;
}

export const errors = {
  notFound(d: Res, name: string): ApiError {
    return new ApiError(404, 'NotFound', `${qualifiedResource(d)} "${name}" not found`, resDetails(d, name));
  },
  alreadyExists(d: Res, name: string): ApiError {
    return new ApiError(409, 'AlreadyExists', `${qualifiedResource(d)} "${name}" already exists`, resDetails(d, name));
  },
  conflict(d: Res, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
    return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(d)} "${name}": ${why}`, resDetails(d, name));
  },
  invalid(d: Pick<ResourceDescriptor, 'group' | 'kind'>, name: string, causes: FieldError[]): ApiError {
    const texts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const agg = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
    const details: StatusDetails = {
      name,
      kind: d.kind,
      causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
    };
    if (d.group) details.group = d.group;
    return new ApiError(422, 'Invalid', `${qualifiedKind(d)} "${name}" is invalid: ${agg}`, details);
  },
  badRequest(message: string): ApiError {
    return new ApiError(400, 'BadRequest', message);
  },
  forbidden(d: Res, name: string, why: string): ApiError {
    const prefix = name ? `${qualifiedResource(d)} "${name}" is forbidden` : `${qualifiedResource(d)} is forbidden`;
    return new ApiError(403, 'Forbidden', `${prefix}: ${why}`, resDetails(d, name));
  },
  namespaceTerminating(d: Res, name: string, namespace: string): ApiError {
    const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
    const e = errors.forbidden(d, name, why);
    e.status.details = { ...e.status.details, causes: [{ reason: 'NamespaceTerminating', message: why, field: 'metadata.namespace' }] };
    return e;
  },
  methodNotAllowed(): ApiError {
    return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  },
  unsupportedMediaType(accepted: string[], detail = ''): ApiError {
    const msg = `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`;
    return new ApiError(415, 'UnsupportedMediaType', detail ? `${msg} (${detail})` : msg);
  },
  notAcceptable(message: string): ApiError {
    return new ApiError(406, 'NotAcceptable', message);
  },
  gone(message: string): ApiError {
    return new ApiError(410, 'Expired', message);
  },
  tooLarge(limit: number): ApiError {
    return new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
  },
  notFoundPath(): ApiError {
    return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  internal(message: string): ApiError {
    return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
  },
};
