import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { CONSOLE_SECURITY_HEADERS, consoleRouter } from './console-static';

let dir: string;
let app: express.Express;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tacos-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Tacos</title>');
  writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
  app = express();
  app.use(consoleRouter(dir));
  // Stands in for the API: whatever the console router passes on must reach it.
  app.use((req, res) => {
    res.status(418).type('text/plain').send(`api ${req.path}`);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('serves index.html at /nacos/ uncached, with the security headers', async () => {
  const res = await request(app).get('/nacos/');
  expect(res.status).toBe(200);
  expect(res.text).toContain('<title>Tacos</title>');
  expect(res.headers['cache-control']).toBe('no-cache');
  for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS)) expect(res.headers[name]).toBe(value);
});

test('redirects /nacos to /nacos/', async () => {
  const res = await request(app).get('/nacos');
  expect(res.status).toBe(301);
  expect(res.headers.location).toBe('/nacos/');
});

test('serves hashed assets with a long cache', async () => {
  const res = await request(app).get('/nacos/assets/app-1234.js');
  expect(res.status).toBe(200);
  expect(res.headers['cache-control']).toContain('immutable');
});

test('leaves API paths and unknown files to the next handler', async () => {
  expect((await request(app).get('/nacos/v1/ns/instance/list')).text).toBe('api /nacos/v1/ns/instance/list');
  expect((await request(app).get('/nacos/actuator/prometheus')).status).toBe(418);
  expect((await request(app).get('/nacos/assets/missing.js')).status).toBe(418);
});
