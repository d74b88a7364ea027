// Three projects: fast unit tests, cluster tests against a real local control plane (test/cluster/harness
// brings it up), and node tests against the plane with a real node (test/cluster/node; needs root).
// ASK_SKIP_CLUSTER_TESTS=1 drops both cluster projects locally.
const shared = {
  testEnvironment: 'node',
  // .cluster/ holds the local plane's state (etcd's *.snap files would pass for jest snapshots); dist/ and build/ are outputs.
  modulePathIgnorePatterns: ['<rootDir>/.cluster/', '<rootDir>/.cluster-node/', '<rootDir>/dist/', '<rootDir>/build/'],
  transform: { '^.+\\.(ts|js|mjs)$': ['@swc/jest'] },
  // @kubernetes/client-node and its OIDC dependencies ship ESM only; jest on Node 20 cannot require() ESM.
  transformIgnorePatterns: ['/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose|jsonpath-plus)/)'],
};

const cluster = {
  ...shared,
  displayName: 'cluster',
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/node/'],
  globalSetup: '<rootDir>/test/cluster/harness/global-setup.ts',
  setupFilesAfterEnv: ['<rootDir>/test/cluster/harness/jest-setup.ts'],
};

// The plane with a real node (containerd, runc, gVisor, kubelet, kube-proxy, CoreDNS) in .cluster-node/;
// its files point the cluster harness at that plane (use-node-plane.ts).
const node = {
  ...shared,
  displayName: 'node',
  testMatch: ['<rootDir>/test/cluster/node/**/*.test.ts'],
  globalSetup: '<rootDir>/test/cluster/node/global-setup.ts',
  setupFiles: ['<rootDir>/test/cluster/node/use-node-plane.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/cluster/harness/jest-setup.ts'],
};
// Packs the package and installs it into fresh apps (cdk8s init, pulumi new, SDK only), as users would.
const packageProject = { ...shared, displayName: 'package', testMatch: ['<rootDir>/test/package/**/*.test.ts'] };

const skipCluster = process.env.ASK_SKIP_CLUSTER_TESTS === '1';
if (skipCluster) console.warn('ASK_SKIP_CLUSTER_TESTS=1: skipping the "cluster" jest project (real control plane tests).');

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    packageProject,
    ...(skipCluster ? [] : [cluster, node]),
  ],
  // Every cluster test file runs its own controller process, which watches all namespaces: files must
  // not run side by side, or two controllers would fight over each other's objects.
  maxWorkers: 1,
  collectCoverageFrom: ['lib/**/*.ts'],
  // Enforced on every `npm test` (and `npm run coverage`): the API model, builders, constructs and
  // guardrails are the public contract, so they stay at or above 90% line coverage.
  coverageThreshold: Object.fromEntries(['api', 'builders', 'cdk8s', 'policy'].map((dir) => [`./lib/${dir}/`, { lines: 90 }])),
};
