#!/usr/bin/env node
import { runServerCli } from './cli';

void runServerCli(process.argv.slice(2));
