// `npx tsx examples/playground/main.ts OUTDIR`: synthesizes the playground's router and demo team into OUTDIR.
import { App } from 'cdk8s';
import { buildPlayground } from './playground';

const outdir = process.argv[2];
if (!outdir) throw new Error('usage: main.ts OUTDIR');
const app = new App({ outdir });
buildPlayground(app);
app.synth();
