// Texts the kubelet builds with Go's fmt, reproduced so messages read exactly like a real node's.

function trimFraction(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** time.Duration's String() for a duration in milliseconds (the kubelet truncates to ms before printing). */
export function goDuration(ms: number): string {
  ms = Math.max(0, Math.floor(ms));
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = trimFraction(((ms % 60_000) / 1000).toFixed(3));
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}

/** `%v` of a []string: `[a b c]`. */
export function goStringSlice(items: readonly string[]): string {
  return `[${items.join(' ')}]`;
}

let cachedSecond = Number.NaN;
let cachedText = '';

/** metav1.Time's wire form (whole seconds, UTC). Cached: one sync stamps many fields with the same second. */
export function metaTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return cachedText;
}
