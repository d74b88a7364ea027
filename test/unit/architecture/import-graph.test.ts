// The folders of lib/ are its architecture: imports point one way (controllers → controller runtime → kube → api)
// and never in a circle. Reads every import of lib/ with the TypeScript compiler, so type-only imports count too.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const root = resolve(__dirname, '../../..');
const lib = join(root, 'lib');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** lib-relative path of every lib/ module `file` imports (import, export … from, import()). */
function importsOf(file: string, known: Set<string>): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((ref) => ref.fileName).filter((spec) => spec.startsWith('.')).flatMap((spec) => {
    const base = resolve(dirname(file), spec);
    const target = [`${base}.ts`, join(base, 'index.ts'), base].find((candidate) => known.has(candidate));
    return target ? [relative(lib, target)] : [];
  });
}

const files = sourceFiles(lib);
const graph = new Map<string, string[]>(files.map((file) => [relative(lib, file), importsOf(file, new Set(files))]));

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
function circles(edges: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (edges.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** Imports from modules under `from` into modules under any of `into`, as "importer -> imported". */
function crossings(from: string, into: string[]): string[] {
  return [...graph].filter(([file]) => file.startsWith(from)).flatMap(([file, targets]) =>
    targets.filter((target) => into.some((prefix) => target.startsWith(prefix))).map((target) => `${file} -> ${target}`));
}

describe('lib/ import graph', () => {
  it('reads the imports it checks', () => {
    expect(graph.get('controller/main.ts')).toContain('controller/registry.ts');
    expect(circles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
  });

  it('has no import circles', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('keeps kube free of the controller runtime and the controllers', () => {
    expect(crossings('kube/', ['controller-runtime/', 'controller/', 'api/'])).toEqual([]);
  });

  it('keeps the controller runtime free of Sandbox kinds and of the controllers', () => {
    expect(crossings('controller-runtime/', ['controller/', 'api/'])).toEqual([]);
  });

  it('keeps the lifecycle code the router and the SDK share below both', () => {
    expect(crossings('lifecycle/', ['router/', 'client/', 'controller/', 'controller-runtime/', 'builders/', 'sandbox-runtime/'])).toEqual([]);
  });

  it('keeps each controller folder to itself, the shared folder and the composition root', () => {
    const kinds = ['sandbox', 'template', 'warm-pool', 'claim'];
    for (const kind of kinds) {
      expect(crossings(`controller/${kind}/`, kinds.filter((k) => k !== kind).map((k) => `controller/${k}/`))).toEqual([]);
    }
    expect(crossings('controller/shared/', kinds.map((k) => `controller/${k}/`))).toEqual([]);
  });
});
