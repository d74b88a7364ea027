// Structured JSON logs, one object per line on stderr: {"level","ts","logger","msg",...fields}.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export type LogFields = Record<string, unknown>;

export class Logger {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly fields: LogFields = {},
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {}

  /** A logger that adds `fields` (e.g. {logger: 'informer', kind: 'Pod'}) to every line. */
  child(fields: LogFields): Logger {
    return new Logger(this.level, { ...this.fields, ...fields }, this.write);
  }

  enabled(level: LogLevel): boolean {
    return rank[level] >= rank[this.level];
  }

  debug(msg: string, fields?: LogFields): void { this.log('debug', msg, fields); }
  info(msg: string, fields?: LogFields): void { this.log('info', msg, fields); }
  warn(msg: string, fields?: LogFields): void { this.log('warn', msg, fields); }
  error(msg: string, fields?: LogFields): void { this.log('error', msg, fields); }

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const entry: LogFields = { level, ts: new Date().toISOString(), msg, ...this.fields, ...fields };
    for (const [k, v] of Object.entries(entry)) if (v instanceof Error) entry[k] = v.message;
    this.write(JSON.stringify(entry) + '\n');
  }
}

/** Discards everything (tests, libraries used without a logger). */
export const silentLogger = new Logger('error', {}, () => undefined);
