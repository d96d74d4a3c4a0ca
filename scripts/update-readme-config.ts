// Rewrites the README's configuration table from src/config/settings.ts:
// node scripts/update-readme-config.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { configReference } from '../src/config/reference.ts';

const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';
const readme = readFileSync('README.md', 'utf8');
const before = readme.slice(0, readme.indexOf(START) + START.length);
const after = readme.slice(readme.indexOf(END));
writeFileSync('README.md', `${before}\n${configReference()}\n${after}`);
