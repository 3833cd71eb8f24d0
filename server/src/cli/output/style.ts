/**
 * Terminal colours, and whether to use them. The SGR codes are Node's own table
 * (util.inspect.colors).
 */
import { inspect } from 'node:util';
import type { SeverityOrOff } from '../../core/codes';
import type { Status } from '../../core/result';
import type { ColorMode } from '../args';

export type Colour = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'magenta' | 'gray';

export type Paint = (colour: Colour, text: string) => string;

/**
 * Whether the text output is coloured, strongest first:
 * 1. `--color=always` / `--color=never` (a flag given for this run beats the environment, as
 *    no-color.org asks);
 * 2. `FORCE_COLOR`, as Node and chalk read it: set to '', `true` or a number above 0 forces colour
 *    on (even into a pipe or a CI log), `0`, `false` or anything else forces it off; when set it
 *    wins over NO_COLOR, as in Node;
 * 3. `NO_COLOR` set to anything but '' turns colour off (https://no-color.org);
 * 4. otherwise colour only on a terminal whose TERM is not `dumb`.
 */
export function useColour(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>, mode: ColorMode = 'auto'): boolean {
  if (mode !== 'auto') return mode === 'always';
  const forced = forceColor(env.FORCE_COLOR);
  if (forced !== undefined) return forced;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** FORCE_COLOR's verdict; undefined when it is not set. */
function forceColor(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'true') return true;
  return /^\d+$/.test(text) && Number(text) > 0;
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
