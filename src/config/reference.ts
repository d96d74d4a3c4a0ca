import { SETTINGS, envNameOf, flagNameOf, type Setting, type SettingName } from './settings.ts';

/** The README's configuration table, generated from the settings table so the two cannot drift. */
export function configReference(): string {
  const rows = ['| flag | environment | default | meaning |', '|---|---|---|---|'];
  for (const [name, setting] of entries()) {
    const env = envNamesOf(name).map((e) => `\`${e}\``).join(', ');
    rows.push(`| \`--${flagNameOf(name)}\` | ${env} | ${formatDefault(setting)} | ${setting.doc} |`);
  }
  return rows.join('\n');
}

/** The same settings as plain text for `chorus serve --help`: flag, environment names, default, then the sentence. */
export function settingsHelp(): string {
  const lines: string[] = [];
  for (const [name, setting] of entries()) {
    const flag = setting.type === 'bool' ? `--${flagNameOf(name)}` : `--${flagNameOf(name)} <${setting.type}>`;
    lines.push(`  ${flag}   ${envNamesOf(name).join(', ')}   default ${formatDefault(setting).replaceAll('`', '')}`, `      ${setting.doc}`);
  }
  return lines.join('\n');
}

/** Every environment variable that sets `name`, in the order they are read. */
export function envNamesOf(name: SettingName): string[] {
  return [...(SETTINGS[name].aliases ?? []), envNameOf(name)];
}

function entries(): Array<[SettingName, Setting]> {
  return Object.entries(SETTINGS) as Array<[SettingName, Setting]>;
}

function formatDefault(setting: Setting): string {
  if (setting.type === 'list') return setting.default.length === 0 ? '(empty)' : `\`${setting.default.join(',')}\``;
  if (setting.type === 'string') return setting.default === '' ? '(none)' : `\`${setting.default}\``;
  return `\`${setting.default}\``;
}
