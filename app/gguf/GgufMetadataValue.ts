/** The scalar value types a GGUF metadata entry or array item can hold (GGUF spec `gguf_metadata_value_type`). */
export type GgufScalarType =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'uint64'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'bool'
  | 'string';

/** A numeric type whose values fit a JavaScript number exactly. */
export type GgufSmallNumberType =
  'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

/** A 64-bit integer type; values may be given as a bigint or as a safe-integer number. */
export type GgufBigIntegerType = 'uint64' | 'int64';

/** The JavaScript value that carries one item of the given scalar type. */
export type GgufScalarValueOf<T extends GgufScalarType> = T extends 'string'
  ? string
  : T extends 'bool'
    ? boolean
    : T extends GgufBigIntegerType
      ? bigint | number
      : number;

/** One typed metadata value: a scalar, or a homogeneous array of scalars. */
export type GgufMetadataValue =
  | { readonly type: GgufSmallNumberType; readonly value: number }
  | { readonly type: GgufBigIntegerType; readonly value: bigint | number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | GgufArrayValue;

/** A homogeneous array; every item has `itemType`. */
export type GgufArrayValue = {
  [T in GgufScalarType]: {
    readonly type: 'array';
    readonly itemType: T;
    readonly values: readonly GgufScalarValueOf<T>[];
  };
}[GgufScalarType];

/** One key/value pair of the GGUF header, written in the order given. */
export interface GgufMetadataEntry {
  readonly key: string;
  readonly value: GgufMetadataValue;
}

/** The numeric codes the GGUF format uses for each value type. */
export const GGUF_VALUE_TYPE_CODES = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;
