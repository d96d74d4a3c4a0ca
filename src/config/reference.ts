import { SETTINGS, envNameOf, flagNameOf, type Setting } from './settings.ts';

/** The README's configuration table, generated from the settings table so the two cannot drift. */
export function configReference(): string {
  const rows = ['| flag | environment | default | meaning |', '|---|---|---|---|'];
  for (const [name, setting] of Object.entries(SETTINGS) as Array<[string, Setting]>) {
    const env = [...(setting.aliases ?? []), envNameOf(name)].map((e) => `\`${e}\``).join(', ');
    rows.push(`| \`--${flagNameOf(name)}\` | ${env} | ${formatDefault(setting)} | ${setting.doc} |`);
  }
  return rows.join('\n');
}

function formatDefault(setting: Setting): string {
  if (setting.type === 'list') return setting.default.length === 0 ? '(empty)' : `\`${setting.default.join(',')}\``;
  if (setting.type === 'string') return setting.default === '' ? '(none)' : `\`${setting.default}\``;
  return `\`${setting.default}\``;
}
