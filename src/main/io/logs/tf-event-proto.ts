// TensorFlow's Event and Summary messages, defined by reflection with protobufjs (the well-kept protobuf
// library; no .proto files to ship or load). Only the fields an importer reads; protobuf skips the rest.
// Field numbers as in tensorflow/core/util/event.proto, core/framework/summary.proto, tensor.proto,
// tensor_shape.proto.
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    Event: {
      fields: {
        wall_time: { id: 1, type: 'double' },
        step: { id: 2, type: 'int64' },
        file_version: { id: 3, type: 'string' },
        graph_def: { id: 4, type: 'bytes' },
        summary: { id: 5, type: 'Summary' },
        session_log: { id: 7, type: 'bytes' },
        tagged_run_metadata: { id: 8, type: 'bytes' },
        meta_graph_def: { id: 9, type: 'bytes' },
      },
    },
    Summary: {
      fields: { value: { id: 1, type: 'Value', rule: 'repeated' } },
    },
    Value: {
      fields: {
        tag: { id: 1, type: 'string' },
        simple_value: { id: 2, type: 'float' },
        obsolete_old_style_histogram: { id: 3, type: 'bytes' },
        image: { id: 4, type: 'bytes' },
        histo: { id: 5, type: 'HistogramProto' },
        audio: { id: 6, type: 'bytes' },
        node_name: { id: 7, type: 'string' },
        tensor: { id: 8, type: 'TensorProto' },
        metadata: { id: 9, type: 'SummaryMetadata' },
      },
    },
    SummaryMetadata: {
      fields: {
        plugin_data: { id: 1, type: 'PluginData' },
        display_name: { id: 2, type: 'string' },
        summary_description: { id: 3, type: 'string' },
      },
    },
    PluginData: { fields: { plugin_name: { id: 1, type: 'string' }, content: { id: 2, type: 'bytes' } } },
    HistogramProto: {
      fields: {
        min: { id: 1, type: 'double' },
        max: { id: 2, type: 'double' },
        num: { id: 3, type: 'double' },
        sum: { id: 4, type: 'double' },
        sum_squares: { id: 5, type: 'double' },
      },
    },
    TensorProto: {
      fields: {
        dtype: { id: 1, type: 'int32' },
        tensor_shape: { id: 2, type: 'TensorShapeProto' },
        tensor_content: { id: 4, type: 'bytes' },
        float_val: { id: 5, type: 'float', rule: 'repeated' },
        double_val: { id: 6, type: 'double', rule: 'repeated' },
        int_val: { id: 7, type: 'int32', rule: 'repeated' },
        int64_val: { id: 10, type: 'int64', rule: 'repeated' },
      },
    },
    TensorShapeProto: { fields: { dim: { id: 2, type: 'Dim', rule: 'repeated' } } },
    Dim: { fields: { size: { id: 1, type: 'int64' } } },
  },
});

type Int64 = number | { toNumber(): number };

export interface TfTensor {
  dtype: number;
  tensor_shape?: { dim: { size: Int64 }[] };
  tensor_content?: Uint8Array;
  float_val: number[];
  double_val: number[];
  int_val: number[];
  int64_val: Int64[];
}

export interface TfValue {
  tag: string;
  simple_value?: number;
  histo?: { min: number; max: number; num: number; sum: number; sum_squares: number };
  tensor?: TfTensor;
  metadata?: { plugin_data?: { plugin_name: string } };
  image?: Uint8Array;
  audio?: Uint8Array;
  obsolete_old_style_histogram?: Uint8Array;
}

export interface TfEvent {
  wall_time: number;
  step: Int64;
  file_version?: string;
  summary?: { value: TfValue[] };
}

const EventType = root.lookupType('Event');

let reader: protobuf.Reader | null = null;

/**
 * Decodes the Event in bytes[start, end); protobufjs throws on malformed bytes, which the caller turns into
 * a named error. One Reader per buffer, not per record: two million records are a 100 MB log.
 */
export function decodeEvent(bytes: Uint8Array, start = 0, end = bytes.length): TfEvent {
  if (reader?.buf !== bytes) reader = protobuf.Reader.create(bytes);
  reader.pos = start;
  reader.len = end;
  return EventType.decode(reader, end - start) as unknown as TfEvent;
}

export const toNumber = (v: Int64): number => (typeof v === 'number' ? v : v.toNumber());

/** TensorFlow's DataType enum values read as scalars (a half or bfloat16 scalar summary is left out, named). */
export const DT = { FLOAT: 1, DOUBLE: 2, INT32: 3, INT64: 9 } as const;

/** The one number of a rank-0 (or one-element) numeric tensor, or null when it is not one. */
export function tensorScalar(t: TfTensor): number | null {
  const dims = t.tensor_shape?.dim ?? [];
  if (dims.reduce((n, d) => n * toNumber(d.size), 1) !== 1) return null;
  const c = t.tensor_content;
  if (c && c.length) {
    const view = new DataView(c.buffer, c.byteOffset, c.byteLength);
    if (t.dtype === DT.FLOAT && c.length === 4) return view.getFloat32(0, true);
    if (t.dtype === DT.DOUBLE && c.length === 8) return view.getFloat64(0, true);
    if (t.dtype === DT.INT32 && c.length === 4) return view.getInt32(0, true);
    if (t.dtype === DT.INT64 && c.length === 8) return Number(view.getBigInt64(0, true));
    return null;
  }
  if (t.dtype === DT.FLOAT && t.float_val.length === 1) return t.float_val[0];
  if (t.dtype === DT.DOUBLE && t.double_val.length === 1) return t.double_val[0];
  if (t.dtype === DT.INT32 && t.int_val.length === 1) return t.int_val[0];
  if (t.dtype === DT.INT64 && t.int64_val.length === 1) return toNumber(t.int64_val[0]);
  return null;
}

/** Encodes an Event (the bench's synthetic logs; tests use an independent Python writer instead). */
export const encodeEvent = (event: Record<string, unknown>): Uint8Array => EventType.encode(EventType.fromObject(event)).finish();
