type TypedArray = Int8Array | Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;
type TypedArrayCtor<T extends TypedArray> = { new (length: number): T };

/** A typed array that doubles when full: compact columnar storage for millions of candidate pairs. */
export class GrowableArray<T extends TypedArray> {
  private data: T;
  length = 0;

  constructor(
    private readonly ctor: TypedArrayCtor<T>,
    private readonly width = 1,
    initialCapacity = 1024,
  ) {
    this.data = new ctor(initialCapacity * width);
  }

  /** Reserves one row and returns its offset in `array`. */
  pushRow(): number {
    if ((this.length + 1) * this.width > this.data.length) {
      const next = new this.ctor(this.data.length * 2);
      next.set(this.data as never);
      this.data = next;
    }
    return this.length++ * this.width;
  }

  push(value: number): void {
    const at = this.pushRow();
    this.data[at] = value;
  }

  get array(): T {
    return this.data;
  }

  /** A view of the used part. */
  view(): T {
    return this.data.subarray(0, this.length * this.width) as T;
  }
}
