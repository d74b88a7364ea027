// Facts about upstream's router (kubernetes-sigs/agent-sandbox `sandbox-router`) that our tests hold us to.

/** The args of upstream's router Deployment (`sandbox-router/deploy/deployment.yaml`), verbatim. */
export const UPSTREAM_DEPLOYMENT_ARGS: readonly string[] = [
  '--http-bind-address=:8080', '--metrics-bind-address=:9090', '--health-probe-bind-address=:8081', '--cluster-domain=cluster.local',
  '--proxy-timeout=180s', '--upstream-max-retries=3', '--cache-enabled=true',
];
