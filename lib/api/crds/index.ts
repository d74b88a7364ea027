// CRD generation: our four CustomResourceDefinitions, with embedded Kubernetes schemas generated from
// the Kubernetes OpenAPI documents (see generate-k8s-schemas.ts).
export {
  allCrds, sandboxCrd, sandboxTemplateCrd, sandboxWarmPoolCrd, sandboxClaimCrd, CONVERSION_WEBHOOK_PATH,
  type ConversionWebhookTarget, type CrdOptions,
} from './definitions';
export { embeddedSchema, EMBEDDED_K8S_SCHEMAS, K8S_SCHEMA_SOURCE_VERSION } from './embedded-schemas';
