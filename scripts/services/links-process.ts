// The process `npm run services -- --regions ...` leaves running for the
// delayed links: node links-process.ts <links.json>, where the file holds
// { controlPort, delayMs, links: LinkSpec[] }. SIGTERM closes everything.
import { readFileSync } from 'node:fs';
import { RegionLinks, serveLinksControl, type LinkSpec } from './region-links.ts';

export interface LinksProcessConfig {
  controlPort: number;
  delayMs: number;
  links: LinkSpec[];
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as LinksProcessConfig;
const links = await RegionLinks.open(config.links, config.delayMs);
const control = await serveLinksControl(links, config.controlPort);
console.log(`links: ${config.links.length} links with ${config.delayMs} ms one-way delay; control on http://127.0.0.1:${config.controlPort}/links`);

process.once('SIGTERM', () => {
  control.close();
  control.closeAllConnections();
  void links.close().then(() => process.exit(0));
});
