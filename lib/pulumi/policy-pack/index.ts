// CrossGuard policy pack enforcing the agent-sandbox-kit guardrails on any Pulumi stack:
//   pulumi preview --policy-pack <this directory>
import { PolicyPack } from '@pulumi/policy';
import { guardrailPolicy } from './guardrail-policy';

new PolicyPack('agent-sandbox-kit-guardrails', { policies: [guardrailPolicy] });
