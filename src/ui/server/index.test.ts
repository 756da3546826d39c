import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { test } from 'node:test';
import { admitDashboard, admitDashboardUpgrade, cookieValue, SESSION_COOKIE, UiState, uiStateFor } from './index.js';

function req(url: string, headers: Record<string, string> = {}, method = 'GET'): IncomingMessage {
  return { url, method, headers, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
}

test('a login token is spent once and expires after a minute', () => {
  const s = new UiState();
  const t = s.mintLoginToken(1000);
  const session = s.exchange(t, 2000);
  assert.ok(session);
  assert.equal(s.exchange(t, 2000), undefined, 'spent');
  assert.ok(s.validSession(session, 3000));
  const late = s.mintLoginToken(1000);
  assert.equal(s.exchange(late, 1000 + 61_000), undefined, 'expired');
  assert.equal(s.exchange('guess', 2000), undefined);
  assert.equal(s.validSession(session, 1000 + 13 * 3600_000), false, 'sessions end after 12 hours');
});

test('cookies are parsed by name', () => {
  assert.equal(cookieValue('a=1; kubeloop-ui=xyz; b=2', SESSION_COOKIE), 'xyz');
  assert.equal(cookieValue('kubeloop-uix=1', SESSION_COOKIE), undefined);
  assert.equal(cookieValue(undefined, SESSION_COOKIE), undefined);
});

test('admitDashboard lets through the login page and live sessions, not forged cookies or cross-site writes', () => {
  const key = {};
  assert.equal(admitDashboard(key, req('/ui/login?token=x')), true);
  assert.equal(admitDashboard(key, req('/ui/')), false);
  const state = uiStateFor(key);
  const session = state.exchange(state.mintLoginToken()) as string;
  const cookie = { cookie: `${SESSION_COOKIE}=${session}`, host: '127.0.0.1:6443' };
  assert.equal(admitDashboard(key, req('/api/v1/pods', cookie)), true);
  assert.equal(admitDashboard(key, req('/api/v1/pods', { cookie: `${SESSION_COOKIE}=forged` })), false);
  assert.equal(admitDashboard(key, req('/api/v1/namespaces/default/pods/x', { ...cookie, origin: 'https://127.0.0.1:6443' }, 'DELETE')), true);
  assert.equal(admitDashboard(key, req('/api/v1/namespaces/default/pods/x', { ...cookie, origin: 'https://evil.example' }, 'DELETE')), false);
  assert.equal(admitDashboard({}, req('/api/v1/pods', cookie)), false, 'sessions belong to one server');
});

test('a WebSocket upgrade on a session cookie needs an Origin of this server', () => {
  const key = {};
  const state = uiStateFor(key);
  const session = state.exchange(state.mintLoginToken()) as string;
  const path = '/api/v1/namespaces/default/pods/p/exec?command=sh&stdin=true&stdout=true&tty=true';
  const cookie = { cookie: `${SESSION_COOKIE}=${session}`, host: '127.0.0.1:6443' };
  assert.equal(admitDashboardUpgrade(key, req(path, { ...cookie, origin: 'https://127.0.0.1:6443' })), true);
  assert.equal(admitDashboardUpgrade(key, req(path, { ...cookie, origin: 'https://evil.example' })), false, 'cross-site WebSocket hijacking');
  assert.equal(admitDashboardUpgrade(key, req(path, cookie)), false, 'no Origin');
  assert.equal(admitDashboardUpgrade(key, req(path, { ...cookie, origin: 'null' })), false);
  assert.equal(admitDashboardUpgrade(key, req(path, { cookie: `${SESSION_COOKIE}=forged`, host: '127.0.0.1:6443', origin: 'https://127.0.0.1:6443' })), false);
});
