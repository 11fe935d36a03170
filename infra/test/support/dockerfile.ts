/**
 * infra/docker/Dockerfile as stages: the resolved base image, the instructions (ARG
 * defaults substituted), and the parent chain, so rules can ask what a final target
 * inherits (USER, HEALTHCHECK, STOPSIGNAL, CMD).
 */
import { DockerfileParser } from 'dockerfile-ast';
import { readRepoFile } from './repo.js';

export const DOCKERFILE = 'infra/docker/Dockerfile';

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string;
  /** The FROM reference with ARG defaults substituted (an image or an earlier stage). */
  from: string;
  instructions: Instruction[];
}

function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a?: string, b?: string) => vars.get(a ?? b ?? '') ?? whole);
}

function argDefault(args: string): [string, string] | undefined {
  const match = /^(\w+)=(.*)$/.exec(args.trim());
  return match ? [match[1] ?? '', (match[2] ?? '').replace(/^"(.*)"$/, '$1')] : undefined;
}

export function parseStages(text: string = readRepoFile(DOCKERFILE)): Stage[] {
  const globals = new Map<string, string>();
  const stages: Stage[] = [];
  let vars = globals;
  for (const instr of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instr.getKeyword().toUpperCase();
    // Whole instruction minus its keyword: flags (--from=, --start-period=) included.
    const raw = instr.getTextContent().replace(/\\\r?\n/g, ' ').replace(/^\s*\w+\s*/, '').replace(/\s+/g, ' ').trim();
    const line = instr.getRange().start.line + 1;
    if (keyword === 'FROM') {
      const [ref = '', , name] = substitute(raw, globals).split(/\s+/);
      vars = new Map(globals);
      stages.push({ name: name ?? `stage-${stages.length}`, from: ref, instructions: [] });
      continue;
    }
    if (keyword === 'ARG') {
      const def = argDefault(raw);
      if (def) vars.set(def[0], def[1]);
    }
    stages.at(-1)?.instructions.push({ keyword, args: substitute(raw, vars), line });
  }
  return stages;
}

export function dockerfileTargets(): string[] {
  return parseStages().map((s) => s.name);
}

/** The stage and its ancestors (earlier stages it is built FROM), nearest first. */
export function lineage(stages: Stage[], name: string): Stage[] {
  const out: Stage[] = [];
  let current = stages.find((s) => s.name === name);
  while (current && !out.includes(current)) {
    out.push(current);
    const parent = current.from;
    current = stages.find((s) => s.name === parent);
  }
  return out;
}

/** The last `keyword` instruction a target sees, own stage first, then its parents. */
export function effective(stages: Stage[], target: string, keyword: string): Instruction | undefined {
  for (const stage of lineage(stages, target)) {
    const found = stage.instructions.filter((i) => i.keyword === keyword).at(-1);
    if (found) return found;
  }
  return undefined;
}

/** The external image a target starts from (the root of its lineage). */
export function baseImage(stages: Stage[], target: string): string {
  return lineage(stages, target).at(-1)?.from ?? '';
}
