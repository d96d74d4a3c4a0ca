// Bundles the browser pages (web/) into web/dist, which the server serves.
// Run by `npm install` (prepare), `npm start` and `npm test`; never committed.
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const web = fileURLToPath(new URL('../web', import.meta.url));
const out = join(web, 'dist');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: {
    chat: join(web, 'src/chat/main.ts'),
    ops: join(web, 'src/ops/main.ts'),
    picker: join(web, 'src/picker/main.ts'),
    chorus: join(web, 'styles/chorus.css'),
  },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const page of readdirSync(join(web, 'pages'))) copyFileSync(join(web, 'pages', page), join(out, page));
console.log(`web pages built into ${out}`);
