// Splits a watch stream (one JSON document per line) into lines as bytes arrive. TCP and chunked encoding
// cut the stream anywhere, including inside a line or inside a multi-byte UTF-8 character, so bytes are
// decoded with a stateful decoder and an unfinished line waits for the chunk that completes it.
import { StringDecoder } from 'node:string_decoder';

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  // Pieces of the unfinished line; kept apart and joined once, so a large object sent in many small
  // chunks costs linear rather than quadratic time.
  private parts: string[] = [];

  /** Complete, non-blank lines finished by this chunk, in order. */
  push(chunk: Buffer): string[] {
    const text = this.decoder.write(chunk);
    const out: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      this.parts.push(text.slice(start, nl));
      keep(out, this.parts.join(''));
      this.parts = [];
      start = nl + 1;
    }
    if (start < text.length) this.parts.push(text.slice(start));
    return out;
  }

  /** Whatever the stream left unterminated; a server may omit the newline after its last document. */
  end(): string[] {
    this.parts.push(this.decoder.end());
    const out: string[] = [];
    keep(out, this.parts.join(''));
    this.parts = [];
    return out;
  }
}

function keep(out: string[], line: string): void {
  const t = line.trim(); // also drops the \r of CRLF framing
  if (t !== '') out.push(t);
}
