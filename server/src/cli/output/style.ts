/**
 * Terminal colours: on only when the stream is a terminal and NO_COLOR is unset or empty
 * (https://no-color.org). The SGR codes are Node's own table (util.inspect.colors).
 */
import { inspect } from 'node:util';
import type { SeverityOrOff } from '../../core/codes';
import type { Status } from '../../core/result';

export type Colour = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'magenta' | 'gray';

export type Paint = (colour: Colour, text: string) => string;

export function useColour(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

export function painter(enabled: boolean): Paint {
  if (!enabled) return (_colour, text) => text;
  return (colour, text) => {
    const [open, close] = inspect.colors[colour] ?? [0, 0];
    return text === '' ? text : `\u001b[${open}m${text}\u001b[${close}m`;
  };
}

export const STATUS_COLOUR: Readonly<Record<Status, Colour>> = {
  'verified': 'green',
  'unattested': 'yellow',
  'partial': 'yellow',
  'invalid': 'red',
  'not-found': 'red',
  'error': 'magenta',
  'unpinned': 'gray',
  'pending': 'cyan',
};

export const SEVERITY_COLOUR: Readonly<Record<SeverityOrOff, Colour>> = {
  error: 'red',
  warning: 'yellow',
  information: 'blue',
  hint: 'gray',
  off: 'dim',
};
