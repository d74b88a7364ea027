// A claim on the real node's default StorageClass (the plane's local volume provisioner) binds at once, a non-root pod
// writes to it through its fsGroup, and what it wrote is still there for the next pod.
import { applyServerSide, kubectl, useTestNamespace, waitFor, getObject } from '../harness';
import { applyGvisorRuntimeClass, deletePod, runPod, testPod } from './pods';

const ns = useTestNamespace('storage');

test("a PersistentVolumeClaim's data survives its pod (non-root gVisor pods, default StorageClass)", async () => {
  const runtimeClassName = await applyGvisorRuntimeClass();
  await applyServerSide([{
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } },
  }], { namespace: ns.name });
  await waitFor('claim data Bound', async () =>
    (await getObject<{ status?: { phase?: string } }>('pvc', 'data', { namespace: ns.name }))?.status?.phase === 'Bound');
  const withClaim = (name: string, script: string) => testPod(name, {
    runtimeClassName,
    // The provisioned directory belongs to root; kubelet gives it the pod's fsGroup.
    fsGroup: 65534,
    command: ['sh', '-c', script],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
    volumeMounts: [{ name: 'data', mountPath: '/data' }],
  });
  await runPod(ns.name, withClaim('writer', 'echo kept-across-pods > /data/proof && exec sleep 3600'));
  await deletePod(ns.name, 'writer');
  await runPod(ns.name, withClaim('reader', 'cat /data/proof && exec sleep 3600'));
  expect(await kubectl(['logs', '-n', ns.name, 'reader'])).toBe('kept-across-pods\n');
});
