import { errors } from 'jose';

/**
 * What a client is told when the verifier refuses its token: one of a few
 * fixed sentences. The verifier's own text (JSON.parse's "Unexpected token
 * ... is not valid JSON", jose's wording) stays in the server's log: it
 * names library internals and may echo the token's bytes.
 */
export interface VerifierRefusal {
  sentence: string;
  /** False when the cause is not the token's (the JWKS could not be fetched, a failure of ours): worth a warning. */
  tokensFault: boolean;
}

export const MALFORMED = 'invalid token: malformed';
export const UNSUPPORTED_ALGORITHM = 'invalid token: unsupported algorithm';

export function verifierRefusal(err: unknown): VerifierRefusal {
  const sentence = sentenceFor(err);
  return sentence === undefined ? { sentence: 'invalid token: it could not be verified', tokensFault: false } : { sentence, tokensFault: true };
}

function sentenceFor(err: unknown): string | undefined {
  if (err instanceof errors.JWTExpired) return 'invalid token: it has expired';
  if (err instanceof errors.JWTClaimValidationFailed) return claimSentence(err.claim, err.reason);
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) return 'invalid token: bad signature';
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) return UNSUPPORTED_ALGORITHM;
  // A header that is not base64url JSON (SyntaxError from our own peek at it), or jose's structural checks.
  if (err instanceof SyntaxError || err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return MALFORMED;
  return undefined;
}

function claimSentence(claim: string, reason: string): string {
  if (claim === 'exp' && reason === 'missing') return 'invalid token: missing required "exp" claim';
  if (reason === 'check_failed' && (claim === 'nbf' || claim === 'iat')) return 'invalid token: it is not valid yet';
  if (claim === 'iss') return 'invalid token: wrong issuer';
  if (claim === 'aud') return 'invalid token: wrong audience';
  // A claim of the wrong type ("exp" as a string) or any other check.
  return MALFORMED;
}
