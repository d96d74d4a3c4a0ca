/**
 * One step of a clock sweep over an insertion-ordered map: looks at up to
 * `steps` entries at the front, deletes the expired ones and moves live ones
 * to the back. Called once per insertion with steps >= 2, it reclaims expired
 * entries faster than new ones arrive, without ever walking the whole map.
 */
export function sweepStep<K, V>(map: Map<K, V>, expired: (value: V) => boolean, steps: number): void {
  for (let i = 0; i < steps; i++) {
    const first = map.entries().next();
    if (first.done === true) return;
    const [key, value] = first.value;
    map.delete(key);
    if (!expired(value)) map.set(key, value);
  }
}
