// Name and label syntax checks with kube-apiserver's wording (apimachinery util/validation).
const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${qualifiedNameFmt})?`;

const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
const cIdentifierRe = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envVarNameRe = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function examples(...xs: string[]): string {
  return xs.map((x) => `'${x}'`).join(',  or ');
}

function regexMsg(what: string, fmt: string, ...eg: string[]): string {
  return `${what} (e.g. ${examples(...eg)}, regex used for validation is '${fmt}')`;
}

export const DNS1123_LABEL_MSG = regexMsg(
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  dns1123LabelFmt,
  'my-name',
  '123-abc',
);
export const DNS1123_SUBDOMAIN_MSG = regexMsg(
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  dns1123SubdomainFmt,
  'example.com',
);
const QUALIFIED_NAME_MSG = regexMsg(
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  qualifiedNameFmt,
  'MyName',
  'my.name',
  '123-abc',
);
const LABEL_VALUE_MSG = regexMsg(
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  labelValueFmt,
  'MyValue',
  'my_value',
  '12345',
);

/** Each function returns a list of problem texts (empty when valid), as apimachinery's IsXxx functions do. */
export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!dns1123LabelRe.test(v)) errs.push(DNS1123_LABEL_MSG);
  return errs;
}

export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!dns1123SubdomainRe.test(v)) errs.push(DNS1123_SUBDOMAIN_MSG);
  return errs;
}

/** Label keys, annotation keys, finalizers: `[prefix/]name`. */
export function isQualifiedName(v: string): string[] {
  const parts = v.split('/');
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [`a qualified name ${QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !qualifiedNameRe.test(name)) errs.push(`name part ${QUALIFIED_NAME_MSG}`);
  return errs;
}

export function isValidLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!labelValueRe.test(v)) errs.push(LABEL_VALUE_MSG);
  return errs;
}

export function isCIdentifier(v: string): boolean {
  return cIdentifierRe.test(v);
}

export function isEnvVarName(v: string): string[] {
  if (envVarNameRe.test(v)) return [];
  return [
    "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
  ];
}

/** Names a resource path segment may not hold (apimachinery path.IsValidPathSegmentName). */
export function isValidPathSegmentName(v: string): string[] {
  if (v === '.' || v === '..') return [`may not be '${v}'`];
  const errs: string[] = [];
  if (v.includes('/')) errs.push("may not contain '/'");
  if (v.includes('%')) errs.push("may not contain '%'");
  return errs;
}
