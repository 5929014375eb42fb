// An answer other than 2xx, with GitHub's body: the message, and extra fields such as `errors`.
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
