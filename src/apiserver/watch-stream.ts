// Streams watch events to an HTTP client: one JSON object per line, flushed per event, closed on timeout.
import type { ServerResponse } from 'node:http';
import type { ResourceDescriptor } from '../api/descriptor.js';
import type { KubeObject } from '../api/types.js';
import type { Clock, Timer } from '../clock/clock.js';
import type { Entry } from '../store/store.js';
import { entryJsonFor } from './crd/convert.js';
import { baseHeaders } from './http-util.js';
import { PROTOBUF_WATCH_CONTENT_TYPE, messageFor, prefersProtobuf, protobufWatchFrame } from './protobuf/index.js';
import type { WatchEventType, WatchSink } from './storage/generic.js';
import { type IncludeObject, tableRow } from './table.js';

export interface WatchStreamOptions {
  descriptor: ResourceDescriptor;
  clock: Clock;
  table?: { include: IncludeObject; apiVersion: string };
  timeoutMs: number;
  bookmarks: boolean;
  /** Called when the stream ends for any reason (client gone, timeout). */
  onClose: () => void;
}

/** Past this much unsent data the client is too slow; kube-apiserver drops such watchers too. */
const MAX_BUFFERED = 64 * 1024 * 1024;

export class WatchStream implements WatchSink {
  private headersSent = false;
  private sentColumns = false;
  private closed = false;
  private timers: Timer[] = [];
  private lastRevision = 0;
  /** Length-prefixed protobuf WatchEvent frames instead of JSON lines (client asked protobuf first). */
  private protobuf = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly o: WatchStreamOptions,
  ) {
    res.on('close', () => this.close());
    this.timers.push(o.clock.after(o.timeoutMs, () => this.close()));
    if (o.bookmarks) this.scheduleBookmark();
  }

  start(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const d = this.o.descriptor;
    this.protobuf = !this.o.table && prefersProtobuf(this.res) && messageFor(d.group ? `${d.group}/${d.version}` : d.version, d.kind) !== undefined;
    baseHeaders(this.res);
    this.res.writeHead(200, { 'Content-Type': this.protobuf ? PROTOBUF_WATCH_CONTENT_TYPE : 'application/json', 'Transfer-Encoding': 'chunked' });
    this.res.flushHeaders();
  }

  event(type: WatchEventType, entry: Entry): void {
    if (this.closed) return;
    this.start();
    this.lastRevision = Math.max(this.lastRevision, entry.modRevision);
    let line: string;
    if (this.o.table) {
      const table: Record<string, unknown> = { kind: 'Table', apiVersion: this.o.table.apiVersion, metadata: { resourceVersion: entry.object.metadata.resourceVersion } };
      if (!this.sentColumns) {
        table.columnDefinitions = this.o.descriptor.table.columns;
        this.sentColumns = true;
      }
      table.rows = [tableRow(this.o.descriptor, entry.object, this.o.clock.now(), this.o.table.include, this.o.table.apiVersion)];
      line = `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
    } else {
      const object = entryJsonFor(this.o.descriptor, entry);
      if (this.protobuf) return this.frame(type, object);
      line = `{"type":"${type}","object":${object}}\n`;
    }
    this.write(line);
  }

  bookmark(revision: number, initialEventsEnd: boolean): void {
    if (this.closed) return;
    this.start();
    this.lastRevision = Math.max(this.lastRevision, revision);
    const d = this.o.descriptor;
    const metadata: KubeObject['metadata'] = { resourceVersion: String(revision) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    const obj = { kind: d.kind, apiVersion: d.group ? `${d.group}/${d.version}` : d.version, metadata };
    if (this.protobuf) return this.frame('BOOKMARK', JSON.stringify(obj));
    this.write(`{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`);
  }

  error(status: object): void {
    if (this.closed) return;
    this.start();
    if (this.protobuf) return this.frame('ERROR', JSON.stringify({ kind: 'Status', apiVersion: 'v1', ...status }));
    this.write(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
  }

  /** Stops timers without answering (the caller will answer with an error instead). */
  abort(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
  }

  /** Latest revision the client has been told about; periodic bookmarks advance it. */
  setRevision(rev: number): void {
    this.lastRevision = Math.max(this.lastRevision, rev);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.o.onClose();
    if (!this.res.writableEnded) {
      this.start();
      this.res.end();
    }
  }

  private frame(type: string, objectJson: string): void {
    const frame = protobufWatchFrame(type, objectJson);
    if (frame) this.write(frame);
  }

  private write(line: string | Buffer): void {
    if (this.res.writableLength > MAX_BUFFERED) {
      this.close();
      return;
    }
    this.res.write(line);
  }

  private scheduleBookmark(): void {
    this.timers.push(
      this.o.clock.after(60_000, () => {
        if (this.closed) return;
        if (this.lastRevision > 0) this.bookmark(this.lastRevision, false);
        this.scheduleBookmark();
      }),
    );
  }
}
