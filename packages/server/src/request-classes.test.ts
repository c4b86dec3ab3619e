import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { RequestClasses } from './request-classes';

describe('RequestClasses', () => {
  it("gives every request and response the express app's prototypes from birth, so express re-parents nothing", async () => {
    const classes = new RequestClasses();
    const app = express();
    const seen: Array<{ before: object | null; after: object | null; resBefore: object | null; resAfter: object | null }> = [];
    let pending: { req: IncomingMessage; res: ServerResponse; before: object | null; resBefore: object | null } | undefined;
    app.get('/hello', (req, res) => {
      if (pending) {
        seen.push({ before: pending.before, after: Object.getPrototypeOf(req), resBefore: pending.resBefore, resAfter: Object.getPrototypeOf(res) });
      }
      // express' own methods are still found through the adopted prototypes.
      res.status(201).json({ hello: req.get('x-name') ?? null, path: req.path });
    });
    const server = createServer({ IncomingMessage: classes.IncomingMessage, ServerResponse: classes.ServerResponse }, (req, res) => {
      pending = { req, res, before: Object.getPrototypeOf(req), resBefore: Object.getPrototypeOf(res) };
      app(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`;
    try {
      // Before adopt: express re-parents the request as usual.
      const first = await fetch(url, { headers: { 'x-name': 'a' } });
      expect([first.status, await first.json()]).toEqual([201, { hello: 'a', path: '/hello' }]);
      expect(seen[0]!.after).toBe(app.request);
      expect(seen[0]!.before).not.toBe(seen[0]!.after);

      classes.adopt(app);
      const second = await fetch(url, { headers: { 'x-name': 'b' } });
      expect([second.status, await second.json()]).toEqual([201, { hello: 'b', path: '/hello' }]);
      expect(seen[1]!.before).toBe(classes.IncomingMessage.prototype);
      expect(seen[1]!.after).toBe(classes.IncomingMessage.prototype);
      expect(seen[1]!.resBefore).toBe(classes.ServerResponse.prototype);
      expect(seen[1]!.resAfter).toBe(classes.ServerResponse.prototype);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
