/** A copy of typed array `array`, `length` long, its new slots set to `fill`. */
export function grown<T extends Uint8Array | Int32Array | Float64Array>(
  array: T,
  length: number,
  fill = 0,
): T {
  const copy = new (array.constructor as new (length: number) => T)(length);
  copy.set(array);
  if (fill !== 0) copy.fill(fill, array.length);
  return copy;
}
