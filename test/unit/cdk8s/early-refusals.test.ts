// Issue 21: input the API server (or Prometheus) would refuse later fails synth instead, naming the
// construct path and the field.

import { App, Chart, Testing } from 'cdk8s';
import { AgentSandboxSystem, Sandbox, SandboxClaim, SandboxRuntimeClass, SandboxTemplate, TeamSandboxes } from '../../../lib';
import { compliantPodSpec } from '../../support/objects';

const podTemplate = { spec: compliantPodSpec() };
const agents = { groups: ['team-a'] };

describe('duplicate team names', () => {
  test('two teams of one name in one chart both fail, each naming the other', () => {
    const chart = Testing.chart();
    new TeamSandboxes(chart, 'first', { name: 'team-a', agents });
    new TeamSandboxes(chart, 'second', { name: 'team-a', agents });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/first\] name "team-a" is also the team \(and namespace\) of test\/second/);
    expect(() => Testing.synth(chart)).toThrow(/\[test\/second\] name "team-a" is also the team \(and namespace\) of test\/first/);
  });

  test('two charts of one app cannot both define a team; different apps may', () => {
    const app = Testing.app();
    new TeamSandboxes(new Chart(app, 'one'), 'team', { name: 'team-a', agents });
    new TeamSandboxes(new Chart(app, 'two'), 'team', { name: 'team-a', agents });
    expect(() => app.synth()).toThrow(/\[two\/team\] name "team-a" is also the team \(and namespace\) of one\/team/);
    const other = new App({ outdir: Testing.app().outdir });
    new TeamSandboxes(new Chart(other, 'one'), 'team', { name: 'team-a', agents });
    new TeamSandboxes(new Chart(other, 'two'), 'team', { name: 'team-b', agents });
    expect(() => Testing.synth(Chart.of(other.node.findChild('one') as Chart))).not.toThrow();
  });
});

describe('times, quantities and durations', () => {
  test.each(['tomorrow', '1', '2030-01-02', '2030-01-02 15:04:05Z', '2030-13-02T15:04:05Z'])('shutdownTime %j is refused', (shutdownTime) => {
    const chart = Testing.chart();
    new Sandbox(chart, 'sb', { podTemplate, shutdownTime });
    expect(() => Testing.synth(chart)).toThrow(new RegExp(`\\[test/sb\\] shutdownTime "${shutdownTime}" is not an RFC 3339 time`));
  });

  test('RFC 3339 times and Dates are accepted', () => {
    const chart = Testing.chart();
    new Sandbox(chart, 'a', { podTemplate, shutdownTime: '2030-01-02T15:04:05.5+02:00' });
    new Sandbox(chart, 'b', { podTemplate, shutdownTime: new Date('2030-01-02T00:00:00Z') });
    expect(Testing.synth(chart).map((m) => m.spec.shutdownTime)).toEqual(['2030-01-02T15:04:05.5+02:00', '2030-01-02T00:00:00.000Z']);
  });

  test('a claim lifecycle shutdownTime must be RFC 3339', () => {
    const chart = Testing.chart();
    new SandboxClaim(chart, 'claim', { warmPool: 'pool', lifecycle: { shutdownTime: 'soon' } });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/claim\] lifecycle\.shutdownTime "soon" is not an RFC 3339 time/);
  });

  test('a RuntimeClass overhead of "lots" is refused', () => {
    const chart = Testing.chart();
    SandboxRuntimeClass.gvisor(chart, 'gvisor', { overhead: { cpu: 'lots', memory: '64Mi' } });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/gvisor\] overhead\["cpu"\] "lots" is not a quantity/);
  });

  test('team quota and container limits must be quantities', () => {
    const chart = Testing.chart();
    new TeamSandboxes(chart, 'team', { name: 'team-q', agents, quota: { 'requests.cpu': 'many' }, containerLimits: { max: { memory: '8 GB' } } });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/team\] quota\["requests\.cpu"\] "many" is not a quantity/);
    expect(() => Testing.synth(chart)).toThrow(/\[test\/team\] containerLimits\.max\["memory"\] "8 GB" is not a quantity/);
  });

  test('container resources in a template must be quantities', () => {
    const chart = Testing.chart();
    const spec = compliantPodSpec();
    spec.containers[0].resources = { limits: { cpu: '1', memory: '1 gig' } };
    new SandboxTemplate(chart, 'tpl', { podTemplate: { spec } });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/tpl\] podTemplate\.spec\.containers\[\w+\]\.resources\.limits\["memory"\] "1 gig" is not a quantity/);
  });

  test('a ServiceMonitor interval of "often" is refused', () => {
    const chart = Testing.chart();
    new AgentSandboxSystem(chart, 'system', { serviceMonitor: { interval: 'often' } });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/system\] serviceMonitor\.interval "often" is not a duration/);
  });
});
