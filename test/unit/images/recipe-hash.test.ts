// The image cache key: a content hash of exactly an image's inputs. Any change to the recipe, a context file
// (content, name or executable bit), a build arg, a tool version or the base archive must change it; nothing
// else may (so an unchanged second build is a cache hit).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recipeHash, type ImageRecipe } from '../../cluster/images/images';

let dir: string;
let recipe: ImageRecipe;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ask-recipe-'));
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'Containerfile'), 'FROM scratch\nCOPY lib /lib\n');
  writeFileSync(join(dir, 'lib', 'a.js'), 'a');
  writeFileSync(join(dir, 'package.json'), '{}');
  recipe = {
    name: 'demo', ref: 'localhost/demo:1', containerfile: join(dir, 'Containerfile'),
    sources: { lib: join(dir, 'lib'), 'package.json': join(dir, 'package.json') },
    buildArgs: { VERSION: '1' }, toolVersions: () => ['tool 1'],
  };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('is stable for unchanged inputs and independent of the order sources are listed in', () => {
  const reordered = { ...recipe, sources: { 'package.json': recipe.sources['package.json'], lib: recipe.sources.lib } };
  expect(recipeHash(recipe)).toBe(recipeHash(recipe));
  expect(recipeHash(reordered)).toBe(recipeHash(recipe));
});

it('changes with every input that shapes the image', () => {
  const before = recipeHash(recipe);
  const changes: Array<[string, () => string]> = [
    ['a context file', () => (writeFileSync(join(dir, 'lib', 'a.js'), 'b'), recipeHash(recipe))],
    ['a new file in a context directory', () => (writeFileSync(join(dir, 'lib', 'b.js'), ''), recipeHash(recipe))],
    ['an executable bit', () => (chmodSync(join(dir, 'package.json'), 0o755), recipeHash(recipe))],
    ['the Containerfile', () => (writeFileSync(join(dir, 'Containerfile'), 'FROM scratch\n'), recipeHash(recipe))],
    ['a build arg', () => recipeHash({ ...recipe, buildArgs: { VERSION: '2' } })],
    ['a tool version', () => recipeHash({ ...recipe, toolVersions: () => ['tool 2'] })],
    ['the reference', () => recipeHash({ ...recipe, ref: 'localhost/demo:2' })],
    ['the base archive', () => recipeHash(recipe, '/cache/base-abc.oci.tar')],
  ];
  const seen = new Set([before]);
  for (const [what, hashAfter] of changes) {
    const after = hashAfter();
    expect([what, seen.has(after)]).toEqual([what, false]);
    seen.add(after);
  }
});

it('names a missing input instead of hashing around it', () => {
  rmSync(join(dir, 'package.json'));
  expect(() => recipeHash(recipe)).toThrow(`image demo: build input ${join(dir, 'package.json')} is missing`);
});
