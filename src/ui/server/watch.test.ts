import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { test } from 'node:test';
import { allKinds } from '../../api/kinds/index.js';
import { Registry } from '../../api/registry.js';
import { ResourceStorage } from '../../apiserver/storage/generic.js';
import { AdjustableClock } from '../../clock/clock.js';
import { MemoryStore } from '../../store/memory.js';
import { serveMultiWatch } from './watch.js';

/** A response that keeps what is written. */
function sink(): { res: ServerResponse; lines: () => Array<Record<string, unknown>>; close: () => void } {
  const out: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    writableLength: 0,
    writableEnded: false,
    writeHead: () => res,
    flushHeaders: () => {},
    write: (s: string) => out.push(s) > 0,
    end: () => {
      res.writableEnded = true;
    },
  });
  return {
    res: res as unknown as ServerResponse,
    lines: () => out.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>),
    close: () => res.emit('close'),
  };
}

test('the multiplexed watch tells the page the cluster time, again when the clock changes', () => {
  const clock = new AdjustableClock({ rate: 10 });
  const storage = new ResourceStorage(new MemoryStore(), new Registry([...allKinds]), clock);
  const s = sink();
  serveMultiWatch(storage, new EventEmitter() as unknown as IncomingMessage, s.res, new URL('http://x/ui/api/watch?resources=nodes'));
  const first = s.lines()[0] as { type: string; now: number; rate: number; paused: boolean };
  assert.equal(first.type, 'CLOCK');
  assert.equal(first.rate, 10);
  assert.equal(first.paused, false);
  assert.ok(Math.abs(first.now - clock.now()) < 1000);
  clock.set({ paused: true });
  const last = s.lines().at(-1) as { type: string; paused: boolean };
  assert.deepEqual([last.type, last.paused], ['CLOCK', true]);
  s.close();
});
