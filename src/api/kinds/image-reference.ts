// Container image references as the docker reference grammar reads them, enough to pick a default pull policy.
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?`;
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const referenceRe = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);

export interface ImageReference {
  name: string;
  tag: string;
  digest: string;
}

/** Splits an image reference; undefined when it does not parse (e.g. upper-case repository names). */
export function parseImageReference(image: string): ImageReference | undefined {
  const m = referenceRe.exec(image);
  if (!m || (m[1] ?? '').length > 255) return undefined;
  return { name: m[1] ?? '', tag: m[2] ?? '', digest: m[3] ?? '' };
}

/** Always for `:latest` or an untagged, undigested image; IfNotPresent otherwise (including unparsable ones,
 * which the kubelet rejects later with InvalidImageName). */
export function imagePullPolicyFor(image: string): 'Always' | 'IfNotPresent' {
  const ref = parseImageReference(image);
  if (!ref) return 'IfNotPresent';
  const effectiveTag = !ref.tag && !ref.digest ? 'latest' : ref.tag;
  return effectiveTag === 'latest' ? 'Always' : 'IfNotPresent';
}
