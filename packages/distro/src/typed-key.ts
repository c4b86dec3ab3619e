/** A key within a data type: distro's unit of ownership, versioning and sync. */
export interface TypedKey {
  readonly type: string;
  readonly key: string;
}

/**
 * A collision-free string id for a typed key (NUL cannot appear in a JSON-decoded type name that
 * processors register, and is only ever a separator here). Used for map keys; never sent.
 */
export function typedKeyId(type: string, key: string): string {
  return `${type}\u0000${key}`;
}
