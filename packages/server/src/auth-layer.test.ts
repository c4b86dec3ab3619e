import { encodeAuthEntry, NamingRegistry } from '@tacos/core';
import { MemoryStorage, RaftNode } from '@tacos/raft';
import type { RequestHandler } from 'express';
import request from 'supertest';
import { createApp } from './app';
import { AUTH_STATE_HANDLER, authProposer, isConsolePath, startAuth } from './auth-layer';
import { type AuthState, NO_ADMIN_MESSAGE } from './auth';
import { parseServerArgs } from './cli';

const KEY = Buffer.from('unit-test-token-secret-0123456789abcdef');
const quiet = { info: () => undefined, warn: () => undefined };

async function authApp(adminPassword?: string) {
  const registry = new NamingRegistry();
  registry.stateMachine.setAuthHandler(AUTH_STATE_HANDLER);
  const raft = new RaftNode({ id: 't', peers: ['t'], storage: new MemoryStorage(), transport: { send() {}, onMessage() {} }, stateMachine: registry.stateMachine, tickMs: 20 });
  await raft.start();
  registry.setProposer(raft, () => raft.status().role === 'LEADER');
  const state = () => registry.stateMachine.authState() as AuthState;
  const authLayer = await startAuth({ tokenKey: KEY, state, propose: authProposer(raft, encodeAuthEntry), bcryptCost: 4, adminPassword }, quiet);
  const app = createApp({ registry, authLayer });
  return { app, registry, stop: () => raft.stop() };
}

describe('auth flags', () => {
  it('reads --auth as a switch and the secret from a flag or the environment', () => {
    expect(parseServerArgs(['--auth', '--token-secret', 's3cret'], {})).toMatchObject({ auth: true, tokenSecret: 's3cret' });
    expect(parseServerArgs(['--port', '1', '--auth'], {})).toMatchObject({ auth: true, port: 1 });
    expect(parseServerArgs([], { TACOS_AUTH: 'true', TACOS_TOKEN_SECRET: 'x' })).toMatchObject({ auth: true, tokenSecret: 'x' });
    expect(parseServerArgs([], {})?.auth).toBeUndefined();
  });
});

describe('auth layer in the app', () => {
  it('refuses writes until the admin exists, then serves login and checks tokens', async () => {
    const t = await authApp();
    try {
      const refused = await request(t.app).post('/nacos/v1/ns/instance?serviceName=a&ip=1.1.1.1&port=1');
      expect(refused.status).toBe(503);
      expect(refused.text).toBe(NO_ADMIN_MESSAGE);
      expect((await request(t.app).post('/nacos/v1/auth/users/admin').type('form').send({ password: 'first-pass-1' })).status).toBe(200);
      const login = await request(t.app).post('/nacos/v1/auth/users/login').type('form').send({ username: 'nacos', password: 'first-pass-1' });
      expect(login.status).toBe(200);
      expect(login.headers.authorization).toBe(`Bearer ${login.body.accessToken}`);
      const ok = await request(t.app).post('/nacos/v1/ns/instance?serviceName=a&ip=1.1.1.1&port=1').set('Authorization', `Bearer ${login.body.accessToken}`);
      expect(ok.text).toBe('ok');
      const anon = await request(t.app).get('/nacos/v1/ns/instance/list?serviceName=a').set('User-Agent', 'Nacos-Server');
      expect([anon.status, anon.text]).toEqual([403, 'user not found!']);
      expect((await request(t.app).get('/nacos/v1/console/server/state')).body.auth_enabled).toBe(true);
    } finally {
      await t.stop();
    }
  });

  it('bootstraps the admin from TACOS_ADMIN_PASSWORD and keeps users in Raft snapshots', async () => {
    const t = await authApp('env-admin-pass');
    try {
      const login = await request(t.app).post('/nacos/v1/auth/login').type('form').send({ username: 'nacos', password: 'env-admin-pass' });
      expect(login.status).toBe(200);
      const copy = new NamingRegistry();
      copy.stateMachine.setAuthHandler(AUTH_STATE_HANDLER);
      copy.stateMachine.restore(t.registry.stateMachine.snapshot());
      expect((copy.stateMachine.authState() as AuthState).users.map((u) => u.username)).toEqual(['nacos']);
    } finally {
      await t.stop();
    }
  });

  it('puts the CSP on console pages only', async () => {
    expect(isConsolePath('/nacos/')).toBe(true);
    expect(isConsolePath('/nacos/assets/app.js')).toBe(true);
    expect(isConsolePath('/nacos/v1/ns/instance')).toBe(false);
    const t = await authApp('env-admin-pass');
    try {
      const page = await request(t.app).get('/nacos/');
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      const api = await request(t.app).get('/nacos/v1/console/health/liveness');
      expect(api.headers['content-security-policy']).toBeUndefined();
      expect(api.headers['x-content-type-options']).toBe('nosniff');
    } finally {
      await t.stop();
    }
  });
});

describe('login limits behind a forwarding member', () => {
  it('count failures against the client address the member vouched for, not the member', async () => {
    const registry = new NamingRegistry();
    registry.stateMachine.setAuthHandler(AUTH_STATE_HANDLER);
    const raft = new RaftNode({ id: 'f', peers: ['f'], storage: new MemoryStorage(), transport: { send() {}, onMessage() {} }, stateMachine: registry.stateMachine, tickMs: 20 });
    await raft.start();
    registry.setProposer(raft, () => raft.status().role === 'LEADER');
    const state = () => registry.stateMachine.authState() as AuthState;
    const authLayer = await startAuth({ tokenKey: KEY, state, propose: authProposer(raft, encodeAuthEntry), bcryptCost: 4, adminPassword: 'forward-admin-1' }, quiet);
    // Stands in for the cluster's peer classifier, which sets forwardedFor only after the signature verified.
    const vouch: RequestHandler = (req, _res, next) => {
      const origin = req.headers['x-test-origin'];
      if (typeof origin === 'string') (req as { forwardedFor?: string }).forwardedFor = origin;
      next();
    };
    const app = createApp({ registry, authLayer, clusterMiddleware: [vouch] });
    const login = (origin: string, username: string) => request(app).post('/nacos/v1/auth/login').set('x-test-origin', origin).type('form').send({ username, password: 'wrong-password' });
    try {
      // Different usernames, so only the per-address limit can trip: 20 free failures, the 21st
      // locks the address, the 22nd is refused.
      const statuses: number[] = [];
      for (let i = 0; i < 22; i++) statuses.push((await login('10.9.9.1', `guess${i}`)).status);
      expect(statuses.slice(0, 21).every((s) => s === 403)).toBe(true);
      expect(statuses[21]).toBe(429);
      // Another client behind the same member is not locked out.
      expect((await login('10.9.9.2', 'someone')).status).toBe(403);
    } finally {
      await raft.stop();
    }
  });
});

