// Reads the Accept header the way kube-apiserver does for the media types kubectl asks for.
export interface Accepts {
  table: boolean;
  tableVersion?: 'v1' | 'v1beta1';
  aggregatedDiscovery?: 'v2' | 'v2beta1';
  /** Client accepts nothing we can produce (e.g. only protobuf Tables). */
  onlyUnsupported: boolean;
  /**
   * The client lists `application/vnd.kubernetes.protobuf` before any JSON type, so kube-apiserver would
   * answer protobuf for a built-in kind (client-go's protobuf clients list protobuf then the any-type wildcard, kubectl's typed
   * clients `protobuf,application/json`). Kinds without a protobuf message still get JSON.
   */
  protobuf: boolean;
  /** With `protobuf`: a JSON type or wildcard is listed as well, so JSON remains an acceptable answer. */
  jsonOk: boolean;
}

interface Clause {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string | undefined): Clause[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';');
    const params: Record<string, string> = {};
    for (const p of rest) {
      const [k, v] = p.split('=');
      if (k) params[k.trim()] = (v ?? '').trim();
    }
    return { type: (type ?? '').trim().toLowerCase(), params };
  });
}

export function negotiate(header: string | undefined): Accepts {
  const clauses = parseAccept(header);
  const out: Accepts = { table: false, onlyUnsupported: false, protobuf: false, jsonOk: true };
  let anyUsable = clauses.length === 0;
  let seenJson = false;
  for (const c of clauses) {
    const json = c.type === 'application/json' || c.type === '*/*' || c.type === 'application/*' || c.type === 'application/yaml';
    if (c.type === 'application/vnd.kubernetes.protobuf' && !c.params.as) {
      anyUsable = true;
      if (!seenJson && !out.table && !out.aggregatedDiscovery) out.protobuf = true;
      continue;
    }
    if (!json) continue;
    seenJson = true;
    if (c.params.as === 'Table' && c.params.g === 'meta.k8s.io') {
      if (!out.table) {
        out.table = true;
        out.tableVersion = c.params.v === 'v1beta1' ? 'v1beta1' : 'v1';
      }
      anyUsable = true;
      continue;
    }
    if (c.params.as === 'APIGroupDiscoveryList' && c.params.g === 'apidiscovery.k8s.io') {
      if (!out.aggregatedDiscovery && (c.params.v === 'v2' || c.params.v === 'v2beta1')) out.aggregatedDiscovery = c.params.v;
      anyUsable = true;
      continue;
    }
    if (!c.params.as) {
      anyUsable = true;
      // A plain JSON clause listed before any Table clause means the client prefers plain JSON.
      if (!out.table && !out.aggregatedDiscovery) return { ...out, onlyUnsupported: false, jsonOk: true };
    }
  }
  out.onlyUnsupported = !anyUsable;
  out.jsonOk = seenJson || clauses.length === 0;
  return out;
}
