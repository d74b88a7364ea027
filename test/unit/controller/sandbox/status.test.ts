import type { SandboxStatus } from '../../../../lib/api/types';
import { statusNeedsWrite, statusPatch } from '../../../../lib/controller/sandbox/status';

const ready = (status: 'True' | 'False') => [{ type: 'Ready', status, reason: 'R', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' }];

test('no write when semantically equal (empty values mean absent)', () => {
  const current: SandboxStatus = { conditions: ready('False'), podIPs: [], service: '' };
  expect(statusNeedsWrite(current, { conditions: ready('False') })).toBe(false);
  expect(statusNeedsWrite(undefined, {})).toBe(false);
  expect(statusNeedsWrite(current, { conditions: ready('False'), podIPs: ['198.18.0.1'] })).toBe(true);
});

test('a nodeName-only change waits for Ready', () => {
  const current: SandboxStatus = { conditions: ready('False') };
  expect(statusNeedsWrite(current, { conditions: ready('False'), nodeName: 'n1' })).toBe(false);
  expect(statusNeedsWrite({ conditions: ready('True') }, { conditions: ready('True'), nodeName: 'n1' })).toBe(true);
  expect(statusNeedsWrite(current, { conditions: ready('True'), nodeName: 'n1' })).toBe(true);
});

test('statusPatch replaces the whole status: absent fields become null', () => {
  expect(statusPatch({ conditions: ready('True'), podIPs: [], nodeName: 'n1' })).toEqual({
    status: { serviceFQDN: null, service: null, conditions: ready('True'), selector: null, podIPs: null, nodeName: 'n1', actions: null },
  });
});
