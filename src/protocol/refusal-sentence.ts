import { Ajv, type ErrorObject } from 'ajv';

// Schema errors as the sentences of `invalid` refusals: a client reads
// "stream must be 1-64 characters of A-Z a-z 0-9 _ -", not "must match pattern".

/**
 * An Ajv instance for JSON a client sends (frames, bodies): no coercion, so
 * {"text": 5} is refused rather than read as "5"; finite numbers only; verbose, so an error names
 * the schema it failed and refusalSentence can read that schema's sentence.
 */
export function clientJsonAjv(options: { coerceTypes?: 'array' } = {}): Ajv {
  return new Ajv({ coerceTypes: options.coerceTypes ?? false, strict: false, removeAdditional: false, strictNumbers: true, verbose: true });
}

/**
 * The sentence for the error that stopped validation: the nearest schema
 * error, from the last (a failed union reports its branches first, then
 * itself), whose schema has a sentence (`x-refusal`), or a missing or unknown
 * key; else Ajv's own words for the last, prefixed with where (`where` names
 * the part, as "body").
 */
export function refusalSentence(errors: readonly ErrorObject[], where?: string): string {
  for (let i = errors.length - 1; i >= 0; i--) {
    const sentence = sentenceOf(errors[i]!);
    if (sentence !== undefined) return sentence;
  }
  const last = errors[errors.length - 1]!;
  const path = `${where ?? ''}${last.instancePath}`.replace(/^\//, '');
  return path === '' ? `${last.message}` : `${path} ${last.message}`;
}

function sentenceOf(error: ErrorObject): string | undefined {
  const schema = (error.parentSchema ?? {}) as { properties?: Record<string, { 'x-refusal'?: string }>; 'x-refusal'?: string; 'x-unknown'?: string };
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return schema.properties?.[missing]?.['x-refusal'] ?? `${missing} is missing`;
  }
  if (error.keyword === 'additionalProperties') {
    const key = String((error.params as { additionalProperty: string }).additionalProperty);
    return `unknown ${schema['x-unknown'] ?? 'field'} "${key.slice(0, 32)}"`;
  }
  return schema['x-refusal'];
}
