/** A table column: the row key, its header, how to show it, and whether it is a number (right-aligned). */
export interface Column<R> {
  readonly key: keyof R & string;
  readonly label: string;
  readonly format?: (value: unknown, row: R) => string;
  readonly numeric?: boolean;
}
