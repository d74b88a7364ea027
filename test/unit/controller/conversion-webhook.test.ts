import { createPrivateKey, X509Certificate } from 'node:crypto';
import { reviewConversion } from '../../../lib/api/conversion';
import { issueServingCertificate } from '../../../lib/controller/conversion-webhook/certificates';
import { mergedBundle } from '../../../lib/controller/conversion-webhook/server';

const podTemplate = { spec: { containers: [{ name: 'main', image: 'x' }] } };

test('a ConversionReview converts every object, or fails naming the object and field', () => {
  const objects = [{ apiVersion: 'agents.x-k8s.io/v1alpha1', kind: 'Sandbox', metadata: { name: 's', namespace: 'n' }, spec: { podTemplate, replicas: 0 } }];
  const ok = reviewConversion({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'u1', desiredAPIVersion: 'agents.x-k8s.io/v1beta1', objects } });
  expect(ok.response).toEqual({ uid: 'u1', result: { status: 'Success' }, convertedObjects: [{ apiVersion: 'agents.x-k8s.io/v1beta1', kind: 'Sandbox', metadata: { name: 's', namespace: 'n' }, spec: { podTemplate, operatingMode: 'Suspended' } }] });
  const bad = reviewConversion({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { uid: 'u2', desiredAPIVersion: 'agents.x-k8s.io/v1beta1', objects: [{ ...objects[0], spec: { podTemplate, replicas: 3 } }] } });
  expect(bad.response).toEqual({ uid: 'u2', convertedObjects: [], result: { status: 'Failure', message: 'Sandbox n/s: spec.replicas: must be 0 (Suspended) or 1 (Running), got 3' } });
  expect(() => reviewConversion({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview' })).toThrow('ConversionReview.request must have uid, desiredAPIVersion and objects');
});

test('the self-managed certificate is a server certificate for the hosts, signed by its own CA', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const issued = issueServingCertificate(['agent-sandbox-controller.sys.svc', '127.0.0.1'], 90 * 24 * 3600_000, now);
  const ca = new X509Certificate(issued.caPem);
  const cert = new X509Certificate(issued.certPem);
  expect(ca.ca).toBe(true);
  expect(cert.ca).toBe(false);
  expect(cert.verify(ca.publicKey)).toBe(true);
  expect(cert.checkHost('agent-sandbox-controller.sys.svc')).toBe('agent-sandbox-controller.sys.svc');
  expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
  expect(cert.checkHost('other.sys.svc')).toBeUndefined();
  expect(new Date(cert.validTo).getTime()).toBe(Math.floor((now.getTime() + 90 * 24 * 3600_000) / 1000) * 1000);
  expect(cert.checkPrivateKey(createPrivateKey(issued.keyPem))).toBe(true);
  expect(() => issueServingCertificate([], 1000)).toThrow('at least one host name');
});

test('caBundle keeps other replicas\' CAs, drops expired ones and adds the new CA once', () => {
  const day = 24 * 3600_000;
  const old = issueServingCertificate(['a'], day, new Date(Date.now() - 2 * day)).caPem;
  const other = issueServingCertificate(['a'], day).caPem;
  const mine = issueServingCertificate(['a'], day).caPem;
  const bundle = mergedBundle(`${old}${other}`, mine);
  expect(bundle).toBe(`${other.trim()}\n${mine.trim()}\n`);
  expect(mergedBundle(bundle, mine)).toBe(bundle);
  expect(mergedBundle('', mine)).toBe(`${mine.trim()}\n`);
});
