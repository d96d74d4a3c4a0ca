// The mirrors at the target (the default placement): test/regions/mirror-flows.ts.
import { mirrorFlowsTest } from './mirror-flows.ts';

mirrorFlowsTest('target');
