import { flagNameOf } from './settings.ts';
import { envNamesOf } from './reference.ts';

// The settings that choose a listening port, and what the operator calls that listener.
const LISTENERS = {
  port: { label: 'HTTP', note: '' },
  ircPort: { label: 'IRC', note: ' (-1 switches plain IRC off)' },
  ircTlsPort: { label: 'IRC over TLS', note: '' },
} as const;

const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'is in use: stop what holds it, or choose another port',
  EACCES: 'needs privileges this process does not have: choose a port above 1023, or another port',
};

export type ListenerSetting = keyof typeof LISTENERS;

/** A failed listen told in the operator's terms: which listener, which port, and the setting that chose it. Other errors pass through. */
export function listenError(err: unknown, setting: ListenerSetting, host: string, port: number): unknown {
  const reason = REASONS[(err as NodeJS.ErrnoException | undefined)?.code ?? ''];
  if (reason === undefined) return err;
  const { label, note } = LISTENERS[setting];
  const names = [`--${flagNameOf(setting)}`, ...envNamesOf(setting)].join(' or ');
  return new Error(`${label} port ${port} on ${host} ${reason} with ${names}${note}`, { cause: err });
}
