// The kubelet server's URL space, built by the API server and parsed by the kubelet, so the two sides agree in
// one place. These are the kubelet's own paths (/containerLogs, /exec, /attach, /portForward, with the kubelet's
// query names input/output/error/tty for the streams) plus /podProxy, kubeloop's way to reach a pod's simulated
// servers: on a real cluster kube-apiserver dials the pod IP, which here only exists inside the nodes process.
const enc = encodeURIComponent;

export type KubeletRequest =
  | { kind: 'log'; namespace: string; pod: string; container: string }
  | { kind: 'exec' | 'attach'; namespace: string; pod: string; container: string }
  | { kind: 'portforward'; namespace: string; pod: string }
  | { kind: 'proxy'; namespace: string; target: string; path: string };

/** API stream options (stdin=true) and the kubelet's names for them (input=1). */
const STREAM_PARAMS: Array<[api: string, kubelet: string]> = [
  ['stdin', 'input'],
  ['stdout', 'output'],
  ['stderr', 'error'],
  ['tty', 'tty'],
];

/** The kubelet path (with query) for an API request `apiUrl` that resolved to `target`. */
export function kubeletPath(target: KubeletRequest, apiUrl: URL): string {
  switch (target.kind) {
    case 'log': {
      const q = new URLSearchParams(apiUrl.search);
      q.delete('container');
      return withQuery(`/containerLogs/${enc(target.namespace)}/${enc(target.pod)}/${enc(target.container)}`, q);
    }
    case 'exec':
    case 'attach': {
      const q = new URLSearchParams();
      if (target.kind === 'exec') for (const c of apiUrl.searchParams.getAll('command')) q.append('command', c);
      for (const [api, kubelet] of STREAM_PARAMS) if (apiUrl.searchParams.get(api) === 'true') q.set(kubelet, '1');
      return withQuery(`/${target.kind}/${enc(target.namespace)}/${enc(target.pod)}/${enc(target.container)}`, q);
    }
    case 'portforward':
      return withQuery(`/portForward/${enc(target.namespace)}/${enc(target.pod)}`, new URLSearchParams(apiUrl.search));
    case 'proxy': {
      const path = target.path.split('/').map(enc).join('/');
      return `/podProxy/${enc(target.namespace)}/${enc(target.target)}${path.startsWith('/') ? path : `/${path}`}${apiUrl.search}`;
    }
  }
}

function withQuery(path: string, q: URLSearchParams): string {
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * A kubelet request and the URL the shared pod stream handlers read their options from (the API's query
 * names: container, command, stdin, tty, follow, ...), or undefined for a path the kubelet does not serve.
 */
export function parseKubeletPath(raw: string): { target: KubeletRequest; apiUrl: URL } | undefined {
  const url = new URL(raw, 'https://kubelet');
  const segs = url.pathname.split('/').slice(1);
  const dec = (i: number) => decodeURIComponent(segs[i] ?? '');
  const [head] = segs;
  try {
    if ((head === 'containerLogs' || head === 'exec' || head === 'attach') && segs.length === 4 && segs.every(Boolean)) {
      const namespace = dec(1);
      const pod = dec(2);
      const container = dec(3);
      const apiUrl = new URL('https://kubelet/');
      if (head === 'containerLogs') {
        for (const [k, v] of url.searchParams) apiUrl.searchParams.append(k, v);
        apiUrl.searchParams.set('container', container);
        return { target: { kind: 'log', namespace, pod, container }, apiUrl };
      }
      apiUrl.searchParams.set('container', container);
      for (const c of url.searchParams.getAll('command')) apiUrl.searchParams.append('command', c);
      for (const [api, kubelet] of STREAM_PARAMS) {
        const v = url.searchParams.get(kubelet);
        if (v === '1' || v === 'true') apiUrl.searchParams.set(api, 'true');
      }
      return { target: { kind: head, namespace, pod, container }, apiUrl };
    }
    if (head === 'portForward' && segs.length === 3 && segs[1] && segs[2]) {
      return { target: { kind: 'portforward', namespace: dec(1), pod: dec(2) }, apiUrl: new URL(`https://kubelet/${url.search}`) };
    }
    if (head === 'podProxy' && segs.length >= 3 && segs[1] && segs[2]) {
      const path = `/${segs.slice(3).map((s) => decodeURIComponent(s)).join('/')}`;
      return { target: { kind: 'proxy', namespace: dec(1), target: dec(2), path }, apiUrl: new URL(`https://kubelet/${url.search}`) };
    }
  } catch {
    // A malformed escape in the path: not a path we serve.
  }
  return undefined;
}
