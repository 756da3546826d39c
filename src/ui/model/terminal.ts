// The screen of the dashboard's small terminal: enough of a VT100 for a line-oriented shell (kubeloop's
// simulated terminal echoes keystrokes, erases with "\b \b" and ends lines with \r\n). Carriage return,
// backspace, tab and newline move the cursor; escape sequences (colours, cursor keys) are dropped; there is
// no cursor addressing. Keeps the last `maxLines` lines.

export class Screen {
  lines: string[] = [''];
  /** Cursor column on the last line. */
  col = 0;
  private escape = '';

  constructor(private readonly maxLines = 2000) {}

  write(text: string): void {
    for (const ch of text) this.put(ch);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  clear(): void {
    // Keeps the line being typed, as a terminal's clear keeps the prompt.
    this.lines = [this.lines[this.lines.length - 1] ?? ''];
  }

  text(): string {
    return this.lines.join('\n');
  }

  private put(ch: string): void {
    if (this.escape) {
      this.escape += ch;
      const kind = this.escape[1];
      if (this.escape.length === 2) {
        if (kind !== '[' && kind !== ']' && kind !== '(' && kind !== ')') this.escape = '';
      } else if (kind === '[') {
        if (/[@-~]/.test(ch)) this.escape = '';
      } else if (kind === ']') {
        if (ch === '\x07' || this.escape.endsWith('\x1b\\')) this.escape = '';
      } else this.escape = '';
      if (this.escape.length > 64) this.escape = '';
      return;
    }
    const last = this.lines.length - 1;
    const line = this.lines[last] as string;
    switch (ch) {
      case '\x1b':
        this.escape = ch;
        return;
      case '\r':
        this.col = 0;
        return;
      case '\n':
        this.lines.push('');
        this.col = 0;
        return;
      case '\b':
        if (this.col > 0) this.col--;
        return;
      case '\t': {
        const next = (Math.floor(this.col / 8) + 1) * 8;
        this.lines[last] = line.padEnd(next, ' ');
        this.col = next;
        return;
      }
      default:
        if (ch < ' ' || ch === '\x7f') return;
        this.lines[last] = line.padEnd(this.col, ' ').slice(0, this.col) + ch + line.slice(this.col + 1);
        this.col++;
    }
  }
}

/** The bytes a key press sends to a terminal, or undefined for keys it leaves to the page (Tab moves focus,
 * so the terminal never traps the keyboard). */
export function keyBytes(e: { key: string; ctrlKey: boolean; altKey: boolean; metaKey: boolean }): string | undefined {
  if (e.metaKey) return undefined;
  if (e.ctrlKey && !e.altKey && e.key.length === 1) {
    const c = e.key.toLowerCase();
    if (c >= 'a' && c <= 'z') return String.fromCharCode(c.charCodeAt(0) - 96);
    if (c === '\\') return '\x1c';
    return undefined;
  }
  if (e.ctrlKey || e.altKey) return undefined;
  switch (e.key) {
    case 'Enter':
      return '\r';
    case 'Backspace':
      return '\x7f';
    case 'Escape':
      return undefined;
    default:
      return e.key.length === 1 ? e.key : undefined;
  }
}
