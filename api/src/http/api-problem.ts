// Apart from problem.ts (which answers over restify): processes without a server, like the CLI, build services that throw it.
/** An error the api answers as `application/problem+json`: a stable code and what to do next. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly fields?: Record<string, string>,
    /** Headers the answer carries besides the problem (e.g. `retry-after` on a 429). */
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'ApiProblem';
  }
}
