// agent-sandbox-kit/pulumi/policy: the guardrails as a CrossGuard policy, for policy packs of your own.
// Its own entry point, so importing the components never loads @pulumi/policy or needs its types.
export { guardrailPolicy, objectOf } from './guardrail-policy';
