/** decodeURIComponent that answers undefined for malformed percent-encoding instead of throwing. */
export function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
