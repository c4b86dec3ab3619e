// Real server processes: one file at a time keeps the 2-core machine from starving readiness checks.
module.exports = {
  ...require('../../jest.preset.cjs'),
  maxWorkers: 1,
  testTimeout: 60_000,
  // nacos-naming's close() leaves its beat loop's sleep pending for up to 10 s (a client quirk).
  forceExit: true,
};
