/** Placeholder: replaced by the inventory-transformer implementation. */
export async function handler(): Promise<void> {
  throw new Error('not implemented yet');
}
