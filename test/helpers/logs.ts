import type { DestinationStream } from 'pino';

/** A pino destination that keeps every line, for tests that read the logs. */
export interface CapturedLogs extends DestinationStream {
  /** Everything written, raw. */
  text(): string;
  /** Each line parsed as JSON. */
  lines(): Record<string, unknown>[];
}

export function captureLogs(): CapturedLogs {
  const chunks: string[] = [];
  return {
    write(msg: string) {
      chunks.push(msg);
    },
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
