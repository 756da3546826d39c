// Image references the way containerd's resolver reads them: short names are completed to
// `docker.io/library/<name>`, a missing tag means `latest`. The kubelet reports the completed form in
// containerStatuses[].image, so `kubectl describe pod` shows `docker.io/library/nginx:1.25`.
import { parseImageReference } from '../../api/kinds/image-reference.js';

export interface NormalizedImage {
  /** The reference as written in the pod spec. */
  spec: string;
  /** Registry host (and port), e.g. `docker.io`, `quay.io`, `localhost:5000`. */
  domain: string;
  /** Repository without the domain, e.g. `library/nginx`. */
  path: string;
  /** `domain/path`. */
  repository: string;
  /** Empty when the reference is by digest only. */
  tag: string;
  /** `sha256:<hex>` when the reference pins a digest. */
  digest: string;
  /** `repository:tag` or `repository@digest`: what the runtime reports as the container's image. */
  fullName: string;
}

export type ParsedImage = { ok: true; image: NormalizedImage } | { ok: false; message: string };

const DEFAULT_DOMAIN = 'docker.io';

function splitDomain(name: string): { domain: string; path: string } {
  const i = name.indexOf('/');
  const first = i < 0 ? '' : name.slice(0, i);
  const isDomain = i >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first);
  let domain = isDomain ? first : DEFAULT_DOMAIN;
  let path = isDomain ? name.slice(i + 1) : name;
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  return { domain, path };
}

/** Parses and completes a reference; the failure text is what the kubelet puts after "couldn't parse image name". */
export function normalizeImage(spec: string): ParsedImage {
  const ref = parseImageReference(spec);
  if (!ref) {
    const lowered = parseImageReference(spec.toLowerCase());
    if (lowered) {
      const { path } = splitDomain(spec.split('@')[0]?.replace(/:[^/:]*$/, '') ?? spec);
      return { ok: false, message: `couldn't parse image name ${JSON.stringify(spec)}: invalid reference format: repository name (${path}) must be lowercase` };
    }
    return { ok: false, message: `couldn't parse image name ${JSON.stringify(spec)}: invalid reference format` };
  }
  const { domain, path } = splitDomain(ref.name);
  const tag = ref.tag || (ref.digest ? '' : 'latest');
  const repository = `${domain}/${path}`;
  const fullName = ref.digest && !ref.tag ? `${repository}@${ref.digest}` : `${repository}:${tag}`;
  return { ok: true, image: { spec, domain, path, repository, tag, digest: ref.digest, fullName } };
}
