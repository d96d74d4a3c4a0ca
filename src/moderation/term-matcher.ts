// A compiled term list: one trie of folded terms, walked from each place in a
// folded message where a word (or a soft-run character) begins. Built once per
// list; matching allocates nothing.
import { END, foldMessage, foldTerm, I_OR_L_UNIT, START, WORD_BREAK, type FoldedText } from './fold.ts';

const ROOT = 0;
const WHOLE = 1; // a term ends here and must end where a word ends
const PREFIX = 2; // a term ending in `*` ends here: any continuation matches
const LOWER_I = 0x69;
const LOWER_L = 0x6c;
// Both bounds bits: a boundary between two characters of a soft run.
const SOFT = START | END;
// Up to this many edges a node's children are scanned; beyond, binary-searched.
const LINEAR_SCAN = 8;
// Bounds on one `matches` call. Ordinary lists keep a handful of partial
// matches alive at once, and a 500-character line against 5,000 ordinary
// terms costs under 1,000 state-steps; only a list built to explode (every
// i/l spelling of a word, every repetition count of its letters) with a line
// built to match it gets near these. Past either, the call answers "matched":
// a crafted line or list costs at most a few hundred microseconds, and cannot
// buy its way past the check.
const MAX_STATES = 64;
const MAX_WORK = 20_000;

interface BuildNode {
  readonly children: Map<number, number>;
  readonly via: number;
  kind: number;
}

/**
 * Matches folded terms as whole words (or as prefixes, for terms ending in
 * `*`). Robust to look-alikes, leetspeak and spacing through folding, and to
 * repeated letters through the walk: a message letter may repeat the letter
 * just matched, so "baaad" matches "bad", while "bob" does not match "boob"
 * (a term's own double letters are minimums). The work per call is bounded
 * (see MAX_STATES, MAX_WORK).
 */
export class TermMatcher {
  /** Distinct folded terms compiled. */
  readonly size: number;
  // The trie, flattened: node n's edges are edgeChar/edgeNode[edgeStart[n] .. edgeStart[n + 1]), sorted by char.
  readonly #edgeStart: Uint32Array;
  readonly #edgeChar: Uint32Array;
  readonly #edgeNode: Uint32Array;
  readonly #via: Uint32Array;
  readonly #kind: Uint8Array;
  // Per-step de-duplication of walk states: node n is in the next set when #seen[n] === #step.
  readonly #seen: Uint32Array;
  #step = 0;
  // The two state sets of a walk, made at the first match (many streams'
  // lists are empty). At most MAX_STATES survive a step; one step can triple
  // them (two children of an ambiguous letter, plus a stay), and skipping
  // word breaks doubles them first.
  #buffers: [Int32Array, Int32Array] | undefined;

  constructor(terms: Iterable<string>) {
    const nodes: BuildNode[] = [{ children: new Map(), via: 0, kind: 0 }];
    let size = 0;
    for (const term of terms) {
      const folded = foldTerm(term);
      if (folded === null) continue;
      let node = ROOT;
      for (const unit of folded.units) {
        let child = nodes[node].children.get(unit);
        if (child === undefined) {
          child = nodes.length;
          nodes.push({ children: new Map(), via: unit, kind: 0 });
          nodes[node].children.set(unit, child);
        }
        node = child;
      }
      const kind = folded.prefix ? PREFIX : WHOLE;
      if ((nodes[node].kind & kind) === 0) size++;
      nodes[node].kind |= kind;
    }
    this.size = size;
    this.#edgeStart = new Uint32Array(nodes.length + 1);
    this.#edgeChar = new Uint32Array(nodes.length - 1);
    this.#edgeNode = new Uint32Array(nodes.length - 1);
    this.#via = new Uint32Array(nodes.length);
    this.#kind = new Uint8Array(nodes.length);
    this.#seen = new Uint32Array(nodes.length);
    let edge = 0;
    nodes.forEach((node, n) => {
      this.#edgeStart[n] = edge;
      this.#via[n] = node.via;
      this.#kind[n] = node.kind;
      for (const [unit, child] of [...node.children].sort((a, b) => a[0] - b[0])) {
        this.#edgeChar[edge] = unit;
        this.#edgeNode[edge] = child;
        edge++;
      }
    });
    this.#edgeStart[nodes.length] = edge;
  }

  /** Folds `text` and matches it; to check one message against several matchers, fold once and call `matches`. */
  test(text: string): boolean {
    return this.size > 0 && this.matches(foldMessage(text));
  }

  matches(text: FoldedText): boolean {
    if (this.size === 0) return false;
    const { units, bounds } = text;
    const kinds = this.#kind;
    this.#buffers ??= [new Int32Array(6 * MAX_STATES), new Int32Array(6 * MAX_STATES)];
    let [states, next] = this.#buffers;
    let work = 0;
    for (let start = 0; start < units.length; start++) {
      if ((bounds[start] & START) === 0) continue;
      // Within a soft run, a start on a repeated letter finds nothing that the
      // start one letter earlier did not (the repeat is absorbed there).
      if (start > 0 && (bounds[start - 1] & START) !== 0 && units[start - 1] === units[start]) continue;
      states[0] = ROOT;
      let count = 1;
      for (let i = start; i < units.length && count > 0; i++) {
        // Inside a soft run the spaces between a term's words are optional:
        // "k i l l y o u r s e l f" matches "kill yourself".
        if (i > start && (bounds[i] & SOFT) === SOFT) count = this.#skipWordBreaks(states, count);
        const nextCount = this.#advance(states, count, units[i], next);
        work += nextCount;
        if (nextCount > MAX_STATES || work > MAX_WORK) return true;
        const end = (bounds[i + 1] & END) !== 0;
        for (let k = 0; k < nextCount; k++) {
          const kind = kinds[next[k]];
          if ((kind & PREFIX) !== 0 || ((kind & WHOLE) !== 0 && end)) return true;
        }
        const done = states;
        states = next;
        next = done;
        count = nextCount;
      }
    }
    return false;
  }

  /**
   * Appends each state's WORD_BREAK child, if any, to the `count` states;
   * returns the new count. (A child cannot already be there: no state was
   * reached on a break inside a soft run.)
   */
  #skipWordBreaks(states: Int32Array, count: number): number {
    let total = count;
    for (let k = 0; k < count; k++) {
      const child = this.#child(states[k], WORD_BREAK);
      if (child >= 0) states[total++] = child;
    }
    return total;
  }

  /**
   * Fills `next` with every node the first `count` states can move to on
   * `unit`: a child, or the node itself when `unit` repeats the letter that
   * led to it; returns how many. A node can be reached both ways (from its
   * parent, and staying), hence `#seen`.
   */
  #advance(states: Int32Array, count: number, unit: number, next: Int32Array): number {
    const seen = this.#seen;
    const via = this.#via;
    const step = (this.#step = this.#step === 0xffffffff ? 1 : this.#step + 1);
    if (step === 1) seen.fill(0);
    const ambiguous = unit === I_OR_L_UNIT;
    let added = 0;
    for (let k = 0; k < count; k++) {
      const state = states[k];
      let child = this.#child(state, ambiguous ? LOWER_I : unit);
      if (child >= 0 && seen[child] !== step) {
        seen[child] = step;
        next[added++] = child;
      }
      if (ambiguous) {
        child = this.#child(state, LOWER_L);
        if (child >= 0 && seen[child] !== step) {
          seen[child] = step;
          next[added++] = child;
        }
      }
      if (state === ROOT || unit === WORD_BREAK || seen[state] === step) continue;
      const letter = via[state];
      if (letter === unit || (ambiguous && (letter === LOWER_I || letter === LOWER_L))) {
        seen[state] = step;
        next[added++] = state;
      }
    }
    return added;
  }

  #child(node: number, unit: number): number {
    const chars = this.#edgeChar;
    let lo = this.#edgeStart[node];
    let hi = this.#edgeStart[node + 1];
    if (hi - lo <= LINEAR_SCAN) {
      for (; lo < hi; lo++) if (chars[lo] === unit) return this.#edgeNode[lo];
      return -1;
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chars[mid];
      if (c === unit) return this.#edgeNode[mid];
      if (c < unit) lo = mid + 1;
      else hi = mid;
    }
    return -1;
  }
}
