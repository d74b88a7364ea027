// `npm run images [-- NAME...]`: builds (or reuses) the local plane's images and prints them as JSON,
// one object per image: { name, ref, archive, reused, seconds }.
// `npm run images -- import --address SOCKET --ctr PATH [NAME...]`: also imports them into that containerd.
import { parseArgs } from 'node:util';
import { buildImage, importImages, imageRecipes } from './images';

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { address: { type: 'string' }, ctr: { type: 'string' } },
  });
  const importing = positionals[0] === 'import';
  const names = importing ? positionals.slice(1) : positionals;
  const recipes = imageRecipes();
  const unknown = names.filter((name) => !(name in recipes));
  if (unknown.length > 0) throw new Error(`unknown image ${unknown.join(', ')}; known: ${Object.keys(recipes).join(', ')}`);
  if (importing && !(values.address && values.ctr)) throw new Error('import needs --address <containerd socket> and --ctr <path of ctr>');
  const images = (names.length > 0 ? names : Object.keys(recipes)).map((name) => buildImage(recipes[name]));
  if (importing) importImages(values.address!, images, values.ctr!);
  console.log(JSON.stringify(images, null, 2));
}

try {
  main();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
