import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../api/errors.js';
import { checkJsonDepth, checkValueDepth, MAX_BODY_DEPTH } from './body-depth.js';

const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

function code(fn: () => void): number | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return err.code;
  }
}

describe('request body depth', () => {
  it('accepts JSON up to the bound and answers 400 beyond it', () => {
    assert.equal(code(() => checkJsonDepth(nested(MAX_BODY_DEPTH))), undefined);
    assert.equal(code(() => checkJsonDepth(nested(MAX_BODY_DEPTH + 1))), 400);
    assert.equal(code(() => checkJsonDepth(`{"a":${'{"b":'.repeat(20_000)}`)), 400);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    assert.equal(code(() => checkJsonDepth(JSON.stringify({ s: `\\"${'['.repeat(5000)}` }))), undefined);
  });

  it('bounds decoded values too, without recursing (a self-referencing YAML alias ends at the bound)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < MAX_BODY_DEPTH + 5; i++) deep = { a: deep };
    assert.equal(code(() => checkValueDepth(deep)), 400);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(code(() => checkValueDepth(cyclic)), 400);
    assert.equal(code(() => checkValueDepth({ a: [1, { b: 'c' }] })), undefined);
  });
});
