#!/usr/bin/env node
// Entry point of the `voicesurvey` command: runs the TypeScript sources through
// tsx's loader, so the command works straight from a checkout with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
