/** One JSON log line as the service writes it. */
export interface LogLine {
  level: number;
  msg?: string;
  req?: { id: string; method: string; path: string };
  res?: { statusCode: number };
  [key: string]: unknown;
}

/** Captures what the app writes to stdout (its log lines) until `restore`. */
export function captureStdout() {
  let captured: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  });
  return {
    /** Everything written since the last reset. */
    text: () => captured.join(''),
    /** The JSON lines written since the last reset. */
    lines: (): LogLine[] =>
      captured
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine),
    reset: () => {
      captured = [];
    },
    restore: () => spy.mockRestore(),
  };
}
