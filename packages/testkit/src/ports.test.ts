import { freePort } from './ports';
test('freePort returns a bindable port', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThan(0);
});
