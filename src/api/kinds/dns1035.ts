// RFC 1035 labels: what Service names must be, since they become DNS names that may not start with a digit.
const FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const RE = new RegExp(`^${FMT}$`);
const MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character " +
  `(e.g. 'my-name',  or 'abc-123', regex used for validation is '${FMT}')`;

export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push('must be no more than 63 characters');
  if (!RE.test(v)) errs.push(MSG);
  return errs;
}
