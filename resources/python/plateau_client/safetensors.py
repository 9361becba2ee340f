"""A safetensors writer from torch tensors, NumPy arrays or nested lists, without the safetensors package.

The format is an 8-byte little-endian header length, a JSON header (name -> dtype, shape, byte range,
plus optional string metadata), then the raw little-endian bytes of each tensor.
"""
import array
import hashlib
import json
import struct
import sys

_TORCH_DTYPES = {'float64': 'F64', 'float32': 'F32', 'int64': 'I64', 'int32': 'I32', 'int16': 'I16', 'int8': 'I8', 'uint8': 'U8', 'bool': 'BOOL'}


def _from_list(values):
    shape, v = [], values
    while isinstance(v, (list, tuple)):
        shape.append(len(v))
        v = v[0] if v else None
    flat = []

    def walk(x, depth):
        if depth == len(shape):
            flat.append(float(x))
            return
        if not isinstance(x, (list, tuple)) or len(x) != shape[depth]:
            raise TypeError('a nested list must be rectangular (shape %s)' % shape)
        for y in x:
            walk(y, depth + 1)

    walk(values, 0)
    a = array.array('f', flat)
    if sys.byteorder == 'big':
        a.byteswap()
    return 'F32', shape, a.tobytes()


def tensor_bytes(value):
    """(dtype, shape, bytes) of one tensor. Floating tensors are written as float32 (what Plateau measures in)."""
    if hasattr(value, 'detach'):  # torch.Tensor
        t = value.detach().cpu().contiguous()
        name = str(t.dtype).replace('torch.', '')
        if t.is_floating_point():
            t, name = t.float(), 'float32'
        elif name not in _TORCH_DTYPES:
            t, name = t.long(), 'int64'
        shape = list(t.shape)
        try:
            a = t.numpy()
            return _TORCH_DTYPES[name], shape, a.astype(a.dtype.newbyteorder('<'), copy=False).tobytes()
        except (ImportError, RuntimeError):  # torch built without NumPy: element by element
            code = {'F32': '<%df', 'F64': '<%dd', 'I64': '<%dq', 'I32': '<%di', 'I16': '<%dh', 'I8': '<%db', 'U8': '<%dB', 'BOOL': '<%d?'}
            flat = t.flatten().tolist()
            return _TORCH_DTYPES[name], shape, struct.pack(code[_TORCH_DTYPES[name]] % len(flat), *flat)
    if hasattr(value, 'dtype') and hasattr(value, 'tobytes'):  # numpy.ndarray
        kind = value.dtype.kind
        if kind == 'f':
            value, dtype = value.astype('<f4'), 'F32'
        elif kind in 'iu':
            value, dtype = value.astype('<i8'), 'I64'
        elif kind == 'b':
            dtype = 'BOOL'
        else:
            raise TypeError('arrays of dtype %s cannot be written to safetensors' % value.dtype)
        return dtype, list(value.shape), value.tobytes()
    if isinstance(value, (list, tuple)):
        return _from_list(value)
    raise TypeError('expected a torch tensor, a NumPy array or a nested list, got %s' % type(value).__name__)


def state_dict_of(model_or_state_dict):
    """A module's state_dict(), or the mapping itself."""
    if hasattr(model_or_state_dict, 'state_dict') and callable(model_or_state_dict.state_dict):
        return model_or_state_dict.state_dict()
    if isinstance(model_or_state_dict, dict):
        return model_or_state_dict
    raise TypeError('expected an nn.Module or a dict of tensors, got %s' % type(model_or_state_dict).__name__)


def save_safetensors(tensors, path, metadata=None):
    """Writes `tensors` (name -> tensor) to `path`; returns (sha256 hex, bytes written)."""
    header, blobs, offset = {}, [], 0
    for name, value in tensors.items():
        try:
            dtype, shape, data = tensor_bytes(value)
        except TypeError as err:
            raise TypeError('tensor %r: %s' % (name, err)) from None
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)  # the data starts 8-byte aligned
    digest = hashlib.sha256()
    size = 0
    with open(path, 'wb') as f:
        for part in [struct.pack('<Q', len(text)), text] + blobs:
            f.write(part)
            digest.update(part)
            size += len(part)
    return digest.hexdigest(), size
