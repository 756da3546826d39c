// What a container instance printed, as the runtime's log file keeps it: whole lines with the time they were
// written and the stream they came from, bounded in size (oldest lines go first), with live followers for -f.
export interface LogLine {
  at: number;
  stream: 'stdout' | 'stderr';
  /** The line with its newline (the last line of an ended container may lack it). */
  text: string;
}

export interface LogQuery {
  tailLines?: number;
  sinceMs?: number;
  limitBytes?: number;
}

const DEFAULT_MAX_BYTES = 1 << 20;

export class LogBuffer {
  private readonly lines: LogLine[] = [];
  private bytes = 0;
  private readonly partial = { stdout: '', stderr: '' };
  private readonly followers = new Set<{ line(l: LogLine): void; end(): void }>();
  ended = false;

  constructor(
    private readonly now: () => number,
    private readonly maxBytes = DEFAULT_MAX_BYTES,
  ) {}

  write(stream: 'stdout' | 'stderr', text: string): void {
    if (this.ended || text === '') return;
    let buf = this.partial[stream] + text;
    let i = buf.indexOf('\n');
    while (i >= 0) {
      this.push({ at: this.now(), stream, text: buf.slice(0, i + 1) });
      buf = buf.slice(i + 1);
      i = buf.indexOf('\n');
    }
    this.partial[stream] = buf;
  }

  /** The container is gone: what is left of a line counts, followers are told the stream ended. */
  end(): void {
    if (this.ended) return;
    for (const s of ['stdout', 'stderr'] as const) if (this.partial[s]) this.push({ at: this.now(), stream: s, text: this.partial[s] });
    this.ended = true;
    for (const f of this.followers) f.end();
    this.followers.clear();
  }

  private push(l: LogLine): void {
    this.lines.push(l);
    this.bytes += l.text.length;
    while (this.bytes > this.maxBytes && this.lines.length > 1) this.bytes -= (this.lines.shift() as LogLine).text.length;
    for (const f of this.followers) f.line(l);
  }

  select(q: LogQuery = {}): LogLine[] {
    let out = this.lines;
    if (q.sinceMs !== undefined) out = out.filter((l) => l.at >= (q.sinceMs as number));
    if (q.tailLines !== undefined) out = q.tailLines <= 0 ? [] : out.slice(-q.tailLines);
    return out;
  }

  /** Calls `line` for each new line until the container ends; returns the unsubscribe function. */
  follow(line: (l: LogLine) => void, end: () => void): () => void {
    if (this.ended) {
      end();
      return () => {};
    }
    const f = { line, end };
    this.followers.add(f);
    return () => this.followers.delete(f);
  }
}
