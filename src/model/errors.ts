/** Error with a stable code (see docs/errors.md). */
export class MixhostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MixhostError';
  }
}
