// Entry point for the cdk8s CLI validation plugin (cdk8s.yaml `validations`): loads the TypeScript
// guardrail engine through tsx, so `cdk8s synth` works from a fresh clone without a build step.
require('tsx/cjs');
module.exports = require('../../lib/policy/cdk8s-plugin');
