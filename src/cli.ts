#!/usr/bin/env node
/*
 * The entry point: as little as possible before SIGHUP is caught. A service command (start, serve, worker) holds SIGHUP
 * first and only then loads the rest (about a second of module loading, run-cli.ts and everything it imports): static
 * imports would all be loaded before this module's first line ran, and a SIGHUP meanwhile ended the process.
 */
import { holdHangups } from './hold-hangups.js';

const SERVICE_COMMANDS = ['start', 'serve', 'worker'];

const heldHangups = SERVICE_COMMANDS.includes(process.argv[2] ?? '') ? holdHangups() : undefined;
const { main } = await import('./run-cli.js');
await main(heldHangups);
