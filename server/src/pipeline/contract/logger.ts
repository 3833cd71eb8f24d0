/**
 * Where modules report what goes wrong without failing: the server's window/logMessage or the
 * CLI's stderr. Modules take a Logger as a parameter; the shells make one.
 */

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  try {
    return String(error);
  } catch {
    return 'unprintable error';
  }
}
