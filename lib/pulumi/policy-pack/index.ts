// CrossGuard policy pack enforcing the agent-sandbox-kit guardrails on any Pulumi stack:
//   pulumi preview --policy-pack lib/pulumi/policy-pack
import { PolicyPack } from '@pulumi/policy';
import { guardrailPolicy } from '../policy';

new PolicyPack('agent-sandbox-kit-guardrails', { policies: [guardrailPolicy] });
