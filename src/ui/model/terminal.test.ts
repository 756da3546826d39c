import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyBytes, Screen } from './terminal.js';

test('the screen follows \r\n, backspace echo, tabs and drops escape sequences', () => {
  const s = new Screen();
  s.write('/ # ');
  s.write('hostnamx');
  s.write('\b \b');
  s.write('e\r\nweb-0\r\n/ # ');
  assert.equal(s.text(), '/ # hostname\nweb-0\n/ # ');
  assert.equal(s.col, 4);
  s.write('\x1b[1;32mgreen\x1b[0m\x1b]0;title\x07 a\tb');
  assert.equal(s.lines[2], '/ # green a     b');
  s.write('\rX');
  assert.equal(s.lines[2], 'X # green a     b');
  s.write('\r\n^C\r\n');
  assert.deepEqual(s.lines.slice(-2), ['^C', '']);
  s.clear();
  assert.deepEqual(s.lines, ['']);
});

test('the screen keeps its last lines', () => {
  const s = new Screen(3);
  s.write('1\r\n2\r\n3\r\n4\r\n5');
  assert.deepEqual(s.lines, ['3', '4', '5']);
});

test('keys map to the bytes a terminal sends; Tab is left to the page', () => {
  const k = (key: string, mods: Partial<{ ctrlKey: boolean; altKey: boolean; metaKey: boolean }> = {}) => keyBytes({ key, ctrlKey: false, altKey: false, metaKey: false, ...mods });
  assert.equal(k('a'), 'a');
  assert.equal(k('Enter'), '\r');
  assert.equal(k('Backspace'), '\x7f');
  assert.equal(k('c', { ctrlKey: true }), '\x03');
  assert.equal(k('D', { ctrlKey: true }), '\x04');
  assert.equal(k('Tab'), undefined);
  assert.equal(k('ArrowUp'), undefined);
  assert.equal(k('Shift'), undefined);
});
