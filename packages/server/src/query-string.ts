/**
 * The query string of a hot request, parsed once, with exactly the results of `URLSearchParams`
 * (the WHATWG `application/x-www-form-urlencoded` parser) but without its per-call cost: values
 * without `%` or `+` are taken as they are, the rest go through `decodeURIComponent`. Any component
 * that `decodeURIComponent` refuses (a malformed `%` escape, an encoded lone surrogate) sends the whole
 * query to `URLSearchParams`, whose lenient decoding is the reference.
 */
export class QueryParams {
  private constructor(
    /** Parameter names in order (repeats kept). */
    readonly names: readonly string[],
    /** Values, index for index with `names`. */
    readonly values: readonly string[],
  ) {}

  /** Parses `query` (the part after `?`, without it). */
  static parse(query: string): QueryParams {
    const names: string[] = [];
    const values: string[] = [];
    let start = 0;
    const length = query.length;
    while (start <= length) {
      let end = query.indexOf('&', start);
      if (end < 0) end = length;
      if (end > start) {
        const eq = query.indexOf('=', start);
        const split = eq >= 0 && eq < end ? eq : end;
        const name = decodeComponent(query.slice(start, split));
        const value = split < end ? decodeComponent(query.slice(split + 1, end)) : '';
        if (name === undefined || value === undefined) return QueryParams.reference(query);
        names.push(name);
        values.push(value);
      }
      start = end + 1;
    }
    return new QueryParams(names, values);
  }

  private static reference(query: string): QueryParams {
    const names: string[] = [];
    const values: string[] = [];
    for (const [name, value] of new URLSearchParams(query)) {
      names.push(name);
      values.push(value);
    }
    return new QueryParams(names, values);
  }

  /** The first value of `name`, or undefined. */
  get(name: string): string | undefined {
    const i = this.names.indexOf(name);
    return i < 0 ? undefined : this.values[i];
  }

  /** The first result of `fn` over the parameters in order that is not undefined. */
  firstResult<T>(fn: (name: string, value: string) => T | undefined): T | undefined {
    for (let i = 0; i < this.names.length; i++) {
      const result = fn(this.names[i]!, this.values[i]!);
      if (result !== undefined) return result;
    }
    return undefined;
  }

  /** Every `[name, value]` pair in order. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.values[i]!];
  }
}

/** One decoded name or value, or undefined when only the reference parser can decode it. */
function decodeComponent(raw: string): string | undefined {
  const plus = raw.includes('+');
  const percent = raw.includes('%');
  if (!plus && !percent) return raw;
  const spaced = plus ? raw.replaceAll('+', ' ') : raw;
  if (!percent) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}
