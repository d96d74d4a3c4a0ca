// The mirrors at the source (`--mirror-at source`): test/regions/mirror-flows.ts.
import { mirrorFlowsTest } from './mirror-flows.ts';

mirrorFlowsTest('source');
