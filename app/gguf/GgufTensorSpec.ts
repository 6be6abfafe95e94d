/** Tensor element types the writer supports, named as in ggml. */
export type GgufTensorType = 'F32' | 'F16';

/** ggml's numeric code for each supported tensor type (`enum ggml_type`). */
export const GGML_TYPE_CODES: Readonly<Record<GgufTensorType, number>> = { F32: 0, F16: 1 };

/** Bytes per element of each supported tensor type. */
export const GGML_TYPE_BYTES: Readonly<Record<GgufTensorType, number>> = { F32: 4, F16: 2 };

/** One tensor to write. Its data is produced lazily, so a large model streams to disk chunk by chunk. */
export interface GgufTensorSpec {
  /** The tensor name llama.cpp looks up, e.g. `blk.0.attn_q.weight`. */
  readonly name: string;
  /** Dimensions in ggml order: `ne0` (the contiguous one) first. */
  readonly shape: readonly number[];
  readonly type: GgufTensorType;
  /**
   * Produces the tensor's raw little-endian bytes in order, in chunks of any size. The chunks together must be exactly
   * `product(shape) × bytes per element` long. A chunk may be reused by the generator after the writer took it.
   */
  readonly data: () => Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
}

/** Number of elements of a tensor of the given shape. */
export function tensorElementCount(shape: readonly number[]): number {
  return shape.reduce((count, dim) => count * dim, 1);
}
