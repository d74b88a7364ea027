// Decodes a watch response body (one JSON event per line) into WatchEvents, tolerating events split across chunks.
import type { Readable } from 'node:stream';
import type { KubeObject, WatchEvent } from './types';

/** Feeds decoded events to `onEvent` until the stream ends (resolve) or fails / carries bad JSON (reject). */
export function decodeWatchStream<T extends KubeObject>(stream: Readable, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const fail = (err: unknown) => {
      stream.destroy();
      reject(err);
    };
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (!line) continue;
        try {
          onEvent(JSON.parse(line) as WatchEvent<T>);
        } catch (err) {
          return fail(err);
        }
      }
    });
    stream.on('end', () => resolve());
    stream.on('error', fail);
    // An aborted request emits 'aborted'/'close' without 'end'; treat it as a normal end so callers decide.
    stream.on('close', () => resolve());
  });
}
