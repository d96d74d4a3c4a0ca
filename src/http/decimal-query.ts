import type { ErrorObject, ValidateFunction } from 'ajv';

// Numbers in query strings and headers are cursors (seqs, times) and counts.
// Ajv's coercion reads "0x10", "1e20", "1.0" or " 1" as numbers, so a client
// that got its cursor wrong would be served as if it had asked for something
// else: a number the server takes from text must be written in decimal digits.

const DECIMAL = /^[0-9]{1,16}$/;

/** The integer that `text` spells in decimal digits, if it is a safe integer; undefined otherwise. */
export function decimalInteger(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Wraps a query-string validator so that its integer properties must be
 * written as decimal integers before Ajv coerces them; the rest (minimum,
 * maximum, unknown keys) is the schema's. A refusal is an Ajv error, so it
 * reads like the others: "querystring/after must be a decimal integer ...".
 */
export function decimalIntegersOnly(schema: unknown, validate: ValidateFunction): ValidateFunction {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  const integers = Object.keys(properties).filter((key) => properties[key]!.type === 'integer');
  if (integers.length === 0) return validate;
  const wrapped = ((data: unknown, context?: Parameters<ValidateFunction>[1]): boolean => {
    const query = (data ?? {}) as Record<string, unknown>;
    for (const key of integers) {
      const raw = query[key];
      if (raw !== undefined && (typeof raw !== 'string' || decimalInteger(raw) === undefined)) {
        wrapped.errors = [notDecimal(key)];
        return false;
      }
    }
    const ok = validate(data, context) as boolean;
    wrapped.errors = validate.errors;
    return ok;
  }) as ValidateFunction;
  // Fastify passes the parent object to a validator with a schemaEnv, so Ajv can coerce in place.
  Object.assign(wrapped, { schema: validate.schema, schemaEnv: validate.schemaEnv });
  return wrapped;
}

function notDecimal(key: string): ErrorObject {
  return {
    instancePath: `/${key}`,
    schemaPath: '#/decimal',
    keyword: 'decimal',
    params: {},
    message: `must be a decimal integer (digits only, at most ${Number.MAX_SAFE_INTEGER})`,
  };
}
