// Reads a controller's JSON log file back as parsed lines, incrementally (only what was appended since the last
// read), so tests can wait for "what the controller said" without scanning the whole file on every poll.
import { closeSync, openSync, readSync } from 'node:fs';

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export class ControllerLog {
  private readonly parsed: LogLine[] = [];
  private offset = 0;
  private partial = '';

  constructor(private readonly file: string) {}

  /** Every line logged so far; a line that is not JSON (e.g. a crash trace) is kept as `{ level: 'raw', msg }`. */
  lines(): readonly LogLine[] {
    const fd = openSync(this.file, 'r');
    try {
      const chunk = Buffer.alloc(1 << 16);
      for (let n; (n = readSync(fd, chunk, 0, chunk.length, this.offset)) > 0;) {
        this.offset += n;
        this.partial += chunk.toString('utf8', 0, n);
      }
    } finally {
      closeSync(fd);
    }
    const complete = this.partial.split('\n');
    this.partial = complete.pop()!;
    for (const line of complete) {
      if (!line.trim()) continue;
      try {
        this.parsed.push(JSON.parse(line) as LogLine);
      } catch {
        this.parsed.push({ level: 'raw', msg: line });
      }
    }
    return this.parsed;
  }
}
