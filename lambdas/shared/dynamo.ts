/**
 * Small helpers for DynamoDB expressions: every attribute goes through a name placeholder (so reserved
 * words such as `status` or `timestamp` need no special care) and every value through a value
 * placeholder.
 */

/** Whether an error is DynamoDB's answer to a failed condition expression. */
export function isConditionalCheckFailed(err: unknown): boolean {
  return err instanceof Error && err.name === 'ConditionalCheckFailedException';
}

/** Collects name and value placeholders and the clauses of an update expression. */
export class Expression {
  private readonly names: Record<string, string> = {};
  private readonly nameOf = new Map<string, string>();
  private readonly values: Record<string, unknown> = {};
  private readonly sets: string[] = [];
  private readonly adds: string[] = [];

  /** The placeholder of an attribute name. */
  n(attribute: string): string {
    let placeholder = this.nameOf.get(attribute);
    if (!placeholder) {
      placeholder = `#n${this.nameOf.size}`;
      this.nameOf.set(attribute, placeholder);
      this.names[placeholder] = attribute;
    }
    return placeholder;
  }

  /** A new placeholder for a value. */
  v(value: unknown): string {
    const placeholder = `:v${Object.keys(this.values).length}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** `SET attribute = value`. */
  set(attribute: string, value: unknown): this {
    this.sets.push(`${this.n(attribute)} = ${this.v(value)}`);
    return this;
  }

  /** `SET attribute = if_not_exists(attribute, value)`: written once, never overwritten. */
  setOnce(attribute: string, value: unknown): this {
    const name = this.n(attribute);
    this.sets.push(`${name} = if_not_exists(${name}, ${this.v(value)})`);
    return this;
  }

  /** A raw SET clause built with {@link n} and {@link v}. */
  setClause(clause: string): this {
    this.sets.push(clause);
    return this;
  }

  /** `ADD attribute value` (a number delta or a set of members). */
  add(attribute: string, value: unknown): this {
    this.adds.push(`${this.n(attribute)} ${this.v(value)}`);
    return this;
  }

  /** The UpdateExpression of the collected clauses. */
  get updateExpression(): string {
    const parts: string[] = [];
    if (this.sets.length > 0) parts.push(`SET ${this.sets.join(', ')}`);
    if (this.adds.length > 0) parts.push(`ADD ${this.adds.join(', ')}`);
    return parts.join(' ');
  }

  /** ExpressionAttributeNames and ExpressionAttributeValues, as the command inputs take them. */
  get attributes(): {
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    return {
      ExpressionAttributeNames: { ...this.names },
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: { ...this.values } } : {}),
    };
  }
}
