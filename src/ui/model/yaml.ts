// Just enough YAML to show an object the way `kubectl get -o yaml` does (block style, keys in order), without
// shipping a YAML library to the browser.
function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  if (s === '' || /^[\s-?:,[\]{}#&*!|>'"%@`]|[:#]\s|\s$|^(true|false|null|yes|no|on|off|~)$|^[-+.\d]/i.test(s) || s.includes('\n')) return JSON.stringify(s);
  return s;
}

export function toYaml(v: unknown, indent = ''): string {
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return v
      .map((item) => {
        if (item !== null && typeof item === 'object' && Object.keys(item).length > 0) {
          const inner = toYaml(item, `${indent}  `);
          return `${indent}- ${inner.slice(indent.length + 2)}`;
        }
        return `${indent}- ${toYaml(item, `${indent}  `)}`;
      })
      .join('\n');
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    return entries
      .map(([k, val]) => {
        const name = scalar(k);
        if (val !== null && typeof val === 'object' && (Array.isArray(val) ? val.length : Object.keys(val).length)) {
          return `${indent}${name}:\n${toYaml(val, Array.isArray(val) ? indent : `${indent}  `)}`;
        }
        return `${indent}${name}: ${toYaml(val, `${indent}  `)}`;
      })
      .join('\n');
  }
  return scalar(v);
}
