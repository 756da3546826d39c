// Byte streams between simulated programs. Output is pushed as it is produced (that is what makes a looping
// script's lines reach `kubectl logs -f` one by one); input is pulled, and a pipe's reader waits for its writer.
export type Sink = (text: string) => void;

export interface Source {
  /** The next chunk, or null at end of input. */
  read(): Promise<string | null>;
}

export const EMPTY: Source = { read: async () => null };

export function textSource(text: string): Source {
  let done = false;
  return {
    read: async () => {
      if (done || text === '') return null;
      done = true;
      return text;
    },
  };
}

export async function readAll(src: Source): Promise<string> {
  let out = '';
  for (let c = await src.read(); c !== null; c = await src.read()) out += c;
  return out;
}

/** Reads a source line by line (the last line may lack its newline). */
export class LineReader {
  private buf = '';
  private eof = false;
  constructor(private readonly src: Source) {}
  async line(): Promise<string | null> {
    for (;;) {
      const i = this.buf.indexOf('\n');
      if (i >= 0) {
        const l = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        return l;
      }
      if (this.eof) {
        if (this.buf === '') return null;
        const l = this.buf;
        this.buf = '';
        return l;
      }
      const c = await this.src.read();
      if (c === null) this.eof = true;
      else this.buf += c;
    }
  }
}

/** A pipe: chunks written on one end are read from the other; close() is the writer's end of file. */
export class Pipe implements Source {
  private readonly chunks: string[] = [];
  private waiter?: () => void;
  private closed = false;

  readonly write: Sink = (text) => {
    if (this.closed || text === '') return;
    this.chunks.push(text);
    this.wake();
  };

  close(): void {
    this.closed = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  async read(): Promise<string | null> {
    while (this.chunks.length === 0) {
      if (this.closed) return null;
      await new Promise<void>((r) => (this.waiter = r));
    }
    return this.chunks.splice(0).join('');
  }
}
