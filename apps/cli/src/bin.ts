#!/usr/bin/env node
// The `tacos` executable: runs the CLI and sets the exit code (documented in README.md). It does not
// call process.exit, so long-running commands (server start) keep the process alive until they stop.
import { main } from './program';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
