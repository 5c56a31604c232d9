import type * as ChildProcess from 'node:child_process';
import type * as Crypto from 'node:crypto';
import type * as WorkerThreads from 'node:worker_threads';
import type * as Zlib from 'node:zlib';

/**
 * Node built-ins that take milliseconds to load, loaded on first use: the CLI's short commands
 * (Claude Code runs the status line every few seconds) never pay for them.
 */
export const nodeCrypto = (): typeof Crypto => require('node:crypto') as typeof Crypto;
export const nodeChildProcess = (): typeof ChildProcess => require('node:child_process') as typeof ChildProcess;
export const nodeZlib = (): typeof Zlib => require('node:zlib') as typeof Zlib;
export const nodeWorkerThreads = (): typeof WorkerThreads => require('node:worker_threads') as typeof WorkerThreads;
