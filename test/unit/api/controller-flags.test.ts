import {
  controllerUsage, defaultControllerConfig, parseControllerArgs, renderControllerArgs, validateControllerFlags,
} from '../../../lib/api/controller-flags';

describe('controller flags', () => {
  test('defaults match upstream', () => {
    const config = defaultControllerConfig();
    expect(config.sandboxConcurrentWorkers).toBe(100);
    expect(config.sandboxClaimConcurrentWorkers).toBe(50);
    expect(config.sandboxWarmPoolConcurrentWorkers).toBe(1);
    expect(config.kubeApiQps).toBe(-1);
    expect(config.kubeApiBurst).toBe(10);
    expect(config.leaderElect).toBe(true);
    expect(config.sandboxWarmPoolReadinessGracePeriod).toBe('5m');
  });

  test('the status coalescing window defaults to 1s and 0s turns it off', () => {
    expect(defaultControllerConfig().sandboxStatusCoalesceWindow).toBe('1s');
    expect(parseControllerArgs(['--sandbox-status-coalesce-window=0s'])).toMatchObject({ problems: [], config: { sandboxStatusCoalesceWindow: '0s' } });
    expect(renderControllerArgs({ sandboxStatusCoalesceWindow: '500ms' })).toEqual(['--sandbox-status-coalesce-window=500ms']);
    expect(parseControllerArgs(['--sandbox-status-coalesce-window=-1s']).problems.join('\n')).toMatch(/--sandbox-status-coalesce-window: must be a duration/);
  });

  test('rendered args parse back to the same values', () => {
    // GIVEN values a construct sets
    const values = { sandboxConcurrentWorkers: 7, kubeApiQps: 50.5, extensions: true, sandboxWarmPoolReplenishDelay: '250ms' };
    // WHEN rendered and parsed by the controller
    const args = renderControllerArgs(values);
    const parsed = parseControllerArgs(args);
    // THEN nothing is lost
    expect(args).toEqual(['--extensions=true', '--kube-api-qps=50.5', '--sandbox-concurrent-workers=7', '--sandbox-warm-pool-replenish-delay=250ms']);
    expect(parsed.problems).toEqual([]);
    expect(parsed.config).toMatchObject(values);
  });

  test('accepts space-separated values and bare booleans', () => {
    const parsed = parseControllerArgs(['--kubeconfig', '/tmp/kc', '--extensions', '-leader-elect=false']);
    expect(parsed.problems).toEqual([]);
    expect(parsed.config).toMatchObject({ kubeconfig: '/tmp/kc', extensions: true, leaderElect: false });
  });

  test.each([
    [['--sandbox-concurrent-workers=0'], /--sandbox-concurrent-workers: must be >= 1/],
    [['--kube-api-burst=-3'], /--kube-api-burst: must be >= 1/],
    [['--kube-api-qps=0'], /must not be 0/],
    [['--sandbox-warm-pool-readiness-grace-period=5 minutes'], /must be a duration/],
    [['--sandbox-warm-pool-readiness-grace-period=0s'], /must be a positive duration/],
    [['--zap-log-level=loud'], /must be one of debug, info, warn, error/],
    [['--no-such-flag=1'], /unknown flag --no-such-flag/],
    [['positional'], /unexpected argument "positional"/],
    [['--kubeconfig'], /needs a value/],
    [['--extensions=maybe'], /must be true or false/],
    [['--api-connections=1.5'], /must be an integer/],
  ])('rejects %j', (argv, message) => {
    expect(parseControllerArgs(argv).problems.join('\n')).toMatch(message);
  });

  test('construct-side validation names the prop and the flag', () => {
    expect(validateControllerFlags({ sandboxClaimConcurrentWorkers: 0, sandboxWarmPoolReplenishDelay: 'soon' })).toEqual([
      { prop: 'sandboxClaimConcurrentWorkers', flag: 'sandbox-claim-concurrent-workers', message: 'must be >= 1' },
      { prop: 'sandboxWarmPoolReplenishDelay', flag: 'sandbox-warm-pool-replenish-delay', message: expect.stringMatching(/must be a duration/) },
    ]);
    expect(validateControllerFlags({ sandboxConcurrentWorkers: 3 })).toEqual([]);
  });

  test('help and version are recognised, and usage lists every flag', () => {
    expect(parseControllerArgs(['--help', '--version'])).toMatchObject({ help: true, version: true, problems: [] });
    expect(controllerUsage()).toContain('--sandbox-warm-pool-max-batch-size (int, default 300)');
  });
});
