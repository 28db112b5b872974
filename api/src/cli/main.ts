#!/usr/bin/env node
import { runCommandLine } from './command-line';

runCommandLine(process.argv.slice(2), { out: process.stdout, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`users-sync: ${(error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, " ")}\n`);
    process.exitCode = 1;
  },
);
