#!/usr/bin/env node
/**
 * `pnpm start`: the process edge. Parses argv/env, wires signals to an AbortController
 * (second signal = SIGKILL everything now), prints prefixed lines, sets the exit code.
 */
import { fileURLToPath } from 'node:url';
import { HELP, parseCli, type StackOptions } from './args.js';
import { STACK_ERRORS, isStackError } from './errors.js';
import { formatLogLine, prefix, useColor } from './format.js';
import type { Service } from './service.js';
import { runStack, type StackIo } from './stack.js';

const ROOT_DIR = fileURLToPath(new URL('../../../', import.meta.url));
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

type Write = (stream: NodeJS.WriteStream, name: string, text: string) => void;

function writer(options: StackOptions): Write {
  const width = Math.max('balancer'.length, `server-${options.replicas}`.length);
  return (stream, name, text) => void stream.write(`${prefix(name, width, useColor(stream.isTTY, process.env))} ${text}\n`);
}

function makeIo(options: StackOptions, signal: AbortSignal, services: Service[], write: Write): StackIo {
  return {
    event: (name, message) => write(process.stdout, name, message),
    info: (line) => write(process.stdout, 'stack', line),
    output: (name, line, stream) => {
      if (options.quiet && name !== 'build') return;
      write(stream === 'stderr' ? process.stderr : process.stdout, name, formatLogLine(line));
    },
    fetch: (url, init) => fetch(url, init),
    env: process.env,
    rootDir: ROOT_DIR,
    signal,
    track: (service) => services.push(service),
  };
}

function describeError(error: unknown): string {
  if (isStackError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`stack: ${describeError(error)}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const controller = new AbortController();
  const services: Service[] = [];
  let interrupted = false;
  const write = writer(parsed.options);
  const io = makeIo(parsed.options, controller.signal, services, write);
  const onSignal = (name: NodeJS.Signals) => {
    if (interrupted) {
      io.event('stack', `${name} again: killing every child now (SIGKILL)`);
      services.forEach((s) => s.kill());
      process.exit(130);
    }
    interrupted = true;
    io.event('stack', `${name} received (Ctrl-C again kills at once)`);
    controller.abort(new Error(`${STACK_ERRORS.ABORTED}: ${name}`));
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  process.on('exit', () => services.forEach((s) => s.kill()));
  try {
    await runStack(parsed.options, io);
    return 0;
  } catch (error) {
    if (interrupted) return 0;
    write(process.stderr, 'stack', `error ${describeError(error)}`);
    return 1;
  }
}

process.exit(await main());
