// Entry point of the example app (cdk8s.yaml `app`): `npm run synth` writes the platform to dist/.
import { App } from 'cdk8s';
import { buildPlatform } from './platform';

const app = new App();
buildPlatform(app);
app.synth();
