// The services script finds its ports the same way; one implementation for both.
export { freePort } from '../../scripts/services/free-port.ts';
