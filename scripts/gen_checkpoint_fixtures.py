#!/usr/bin/env python3
"""Checkpoint fixtures for test/serialization.test.ts, both ways between PyTorch and torchlet (run with
/usr/bin/python3; Debian's PyTorch 1.13).

PyTorch -> torchlet (written here, into test/fixtures/ckpt/):
  pytorch_mlp.safetensors      state dict of a small model (Linear-BatchNorm1d-ReLU-Linear, float32, with the int64
                               num_batches_tracked), as safetensors.torch.save_file writes it
  pytorch_dtypes.safetensors   one tensor of each dtype torchlet reads (F32, F64, I64 up to +-2^53, I32, BOOL), a
                               0-dim tensor and an empty tensor
  pytorch_i64_overflow.safetensors  an I64 value of 2^53 + 1 (torchlet must refuse it)
  pytorch_expected.json        every tensor's dtype, shape and values, plus the model's input and eval-mode output

torchlet -> PyTorch (checked here when present): torchlet_state.safetensors and torchlet_checkpoint.safetensors are
written by the TypeScript test (`TORCHLET_WRITE_CKPT_FIXTURES=1 node --test dist/test/serialization.test.js`) and
committed. This script reads them as safetensors.torch.load_file would (with the reference implementation's
validation), checks the tensors equal the originals exactly (values and dtypes), and checks the bytes are exactly
what the reference serializer writes for those tensors and that metadata.

The `safetensors` Python package is not packaged for Debian bookworm, so the format is read and written by hand
below, following the reference implementation (huggingface/safetensors, safetensors/src/tensor.rs): an 8-byte
little-endian header length N, N bytes of compact JSON padded with spaces to a multiple of 8 (`__metadata__` first),
tensors sorted by dtype alignment (largest first) then by name, data back to back with no gaps. If the package is
installed, its load_file / save_file are used as well.

Usage: /usr/bin/python3 scripts/gen_checkpoint_fixtures.py          # write the PyTorch-side fixtures, check torchlet's
       /usr/bin/python3 scripts/gen_checkpoint_fixtures.py --check  # only check the torchlet-written files
"""
import json
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'ckpt')

# Reference implementation's Dtype enum order (increasing alignment), for the dtypes torch has.
ST_RANK = {'BOOL': 0, 'U8': 1, 'I8': 2, 'I16': 5, 'F16': 7, 'BF16': 8, 'I32': 9, 'F32': 11, 'F64': 12, 'I64': 13}
ST_SIZE = {'BOOL': 1, 'U8': 1, 'I8': 1, 'I16': 2, 'U16': 2, 'F16': 2, 'BF16': 2, 'I32': 4, 'U32': 4, 'F32': 4,
           'F64': 8, 'I64': 8, 'U64': 8}
TO_ST = {torch.bool: 'BOOL', torch.uint8: 'U8', torch.int8: 'I8', torch.int16: 'I16', torch.float16: 'F16',
         torch.bfloat16: 'BF16', torch.int32: 'I32', torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64'}
FROM_ST = {v: k for k, v in TO_ST.items()}
NP_OF = {'BOOL': '?', 'U8': 'B', 'I8': 'b', 'I16': 'h', 'I32': 'i', 'F32': 'f', 'F64': 'd', 'I64': 'q'}


def st_serialize(tensors, metadata=None):
    """Bytes of a safetensors file, laid out as the reference serializer does."""
    items = sorted(tensors.items(), key=lambda kv: (-ST_RANK[TO_ST[kv[1].dtype]], kv[0].encode('utf-8')))
    parts, chunks, offset = [], [], 0
    if metadata is not None:
        meta = ','.join('%s:%s' % (json.dumps(k, ensure_ascii=False), json.dumps(metadata[k], ensure_ascii=False))
                        for k in sorted(metadata, key=lambda k: k.encode('utf-8')))
        parts.append('"__metadata__":{%s}' % meta)
    for name, t in items:
        t = t.detach().contiguous()
        data = t.numpy().astype(t.numpy().dtype.newbyteorder('<')).tobytes() if t.numel() else b''
        parts.append('%s:{"dtype":"%s","shape":[%s],"data_offsets":[%d,%d]}' % (
            json.dumps(name, ensure_ascii=False), TO_ST[t.dtype], ','.join(str(d) for d in t.shape),
            offset, offset + len(data)))
        offset += len(data)
        chunks.append(data)
    header = ('{' + ','.join(parts) + '}').encode('utf-8')
    header += b' ' * ((8 - len(header) % 8) % 8)
    return struct.pack('<Q', len(header)) + header + b''.join(chunks)


def st_deserialize(buf):
    """(tensors, metadata) of safetensors bytes, with the reference implementation's checks."""
    if len(buf) < 8:
        raise ValueError('HeaderTooSmall')
    (n,) = struct.unpack('<Q', buf[:8])
    if n > 100_000_000:
        raise ValueError('HeaderTooLarge')
    if 8 + n > len(buf):
        raise ValueError('InvalidHeaderLength')
    text = buf[8:8 + n].decode('utf-8')
    if not text.startswith('{'):
        raise ValueError('InvalidHeaderStart')
    header = json.loads(text)
    metadata = header.pop('__metadata__', None)
    if metadata is not None:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()), 'metadata must be str->str'
    infos = sorted(header.items(), key=lambda kv: tuple(kv[1]['data_offsets']))
    start = 0
    tensors = {}
    data = buf[8 + n:]
    for name, info in infos:
        s, e = info['data_offsets']
        if s != start or e < s:
            raise ValueError('InvalidOffset(%s)' % name)
        start = e
        numel = 1
        for d in info['shape']:
            numel *= d
        if e - s != numel * ST_SIZE[info['dtype']]:
            raise ValueError('TensorInvalidInfo')
        dt = FROM_ST[info['dtype']]
        if numel == 0:
            t = torch.zeros(info['shape'], dtype=dt)
        else:
            t = torch.frombuffer(bytearray(data[s:e]), dtype=dt).reshape(info['shape'])
        tensors[name] = t.clone()
    if start + 8 + n != len(buf):
        raise ValueError('MetadataIncompleteBuffer')
    return tensors, metadata


try:  # use the real package too when it is installed
    from safetensors.torch import load_file as _st_load_file, save as _st_save  # noqa: F401
    HAVE_ST = True
except ImportError:
    HAVE_ST = False


def write(name, tensors, metadata=None):
    b = st_serialize(tensors, metadata)
    if HAVE_ST:
        assert b == _st_save(tensors, metadata), 'hand-written serializer differs from safetensors.torch.save for ' + name
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(b)
    back, meta = st_deserialize(b)
    assert meta == metadata and set(back) == set(tensors)
    for k in tensors:
        assert back[k].dtype == tensors[k].dtype and torch.equal(back[k], tensors[k]), k
    return b


def describe(t):
    """dtype, shape and flat values (JSON has no inf/nan: those are the strings 'inf', '-inf', 'nan')."""
    def enc(v):
        if t.dtype == torch.bool:
            return bool(v)
        if isinstance(v, float) and (v != v or v in (float('inf'), -float('inf'))):
            return 'nan' if v != v else ('inf' if v > 0 else '-inf')
        return v
    return {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape),
            'values': [enc(v) for v in t.reshape(-1).tolist()]}


def model_and_data():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    model.train()
    for _ in range(3):  # give BatchNorm running statistics (num_batches_tracked = 3)
        model(torch.randn(16, 4))
    model.eval()
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = model(x)
    return model, x, y


def dtype_tensors():
    two53 = 2 ** 53
    return {
        'f32': torch.tensor([[1.5, -2.25, 3.0e-8], [float('inf'), -float('inf'), 0.1]], dtype=torch.float32),
        'f64': torch.tensor([0.1, -1e300, 5e-324, 1 / 3], dtype=torch.float64),
        'i64': torch.tensor([0, -1, two53, -two53, two53 - 1, 123456789012345], dtype=torch.int64),
        'i32': torch.tensor([[2 ** 31 - 1, -2 ** 31], [7, -7]], dtype=torch.int32),
        'flags': torch.tensor([True, False, True], dtype=torch.bool),
        'scalar': torch.tensor(2.5, dtype=torch.float32),
        'empty': torch.zeros(0, 3, dtype=torch.float32),
    }


def generate():
    os.makedirs(OUT, exist_ok=True)
    model, x, y = model_and_data()
    sd = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}
    write('pytorch_mlp.safetensors', sd, {'format': 'pt'})
    dts = dtype_tensors()
    write('pytorch_dtypes.safetensors', dts)
    write('pytorch_i64_overflow.safetensors', {'big': torch.tensor([1, 2 ** 53 + 1], dtype=torch.int64)})
    expected = {
        'mlp': {k: describe(v) for k, v in sd.items()},
        'mlpKeys': list(sd.keys()),
        'bnEps': model[1].eps,
        'input': describe(x),
        'output': describe(y),
        'dtypes': {k: describe(v) for k, v in dts.items()},
    }
    with open(os.path.join(OUT, 'pytorch_expected.json'), 'w') as f:
        json.dump(expected, f, indent=None, allow_nan=False)
        f.write('\n')
    print('wrote PyTorch-side fixtures to', os.path.normpath(OUT))


def check_file_crc(buf, meta):
    """torchlet's whole-file checksum (format version 2): zlib's CRC-32 of the file with the 8 hex digits of
    __metadata__["torchlet_file_crc32"] replaced by '00000000'."""
    import zlib
    pat = b'"torchlet_file_crc32":"'
    at = buf.index(pat) + len(pat)
    assert buf.count(pat) == 1
    value = buf[at:at + 8].decode('ascii')
    assert value == meta['torchlet_file_crc32']
    assert '%08x' % zlib.crc32(buf[:at] + b'00000000' + buf[at + 8:]) == value, 'whole-file CRC-32 mismatch'


def check_torchlet():
    """The files torchlet wrote: loadable as PyTorch would, equal tensors, reference byte layout."""
    model, _, _ = model_and_data()
    sd = {k: v.detach().clone() for k, v in model.state_dict().items()}
    dts = dtype_tensors()
    ok = True
    path = os.path.join(OUT, 'torchlet_state.safetensors')
    if os.path.exists(path):
        buf = open(path, 'rb').read()
        tensors, meta = st_deserialize(buf)
        if HAVE_ST:
            tensors = _st_load_file(path)
        want = dict(sd)
        want.update(dts)
        assert set(tensors) == set(want), sorted(set(tensors) ^ set(want))
        for k, v in want.items():
            assert tensors[k].dtype == v.dtype, (k, tensors[k].dtype, v.dtype)
            assert tensors[k].shape == v.shape, (k, tensors[k].shape, v.shape)
            assert torch.equal(tensors[k], v), k
        assert meta is not None and meta.get('format') == 'pt'
        json.loads(meta['torchlet'])
        check_file_crc(buf, meta)
        assert buf == st_serialize(want, meta), 'torchlet_state.safetensors is not laid out as the reference writes it'
        print('torchlet_state.safetensors: %d tensors equal to PyTorch\'s, reference byte layout' % len(tensors))
    else:
        ok = False
        print('missing', path)
    path = os.path.join(OUT, 'torchlet_checkpoint.safetensors')
    if os.path.exists(path):
        buf = open(path, 'rb').read()
        tensors, meta = st_deserialize(buf)
        structure = json.loads(meta['torchlet'])
        root = structure['root']
        assert structure['version'] == 2
        check_file_crc(buf, meta)
        assert root['epoch'] == 7 and root['note'] == 'digits' and root['flags'] == [True, False, None]
        assert root['scheduler']['lastEpoch'] == 7
        for k, v in sd.items():
            assert torch.equal(tensors['model.' + k], v), k
            assert root['model'][k] == {'__tensor__': 'model.' + k}
        assert tensors['optimizer.state.0.step'].dtype == torch.float32
        assert torch.equal(tensors['optimizer.state.0.exp_avg'], torch.full((8, 4), 0.5))
        assert root['optimizer']['paramGroups'][0]['betas'] == [0.9, 0.999]
        assert buf == st_serialize(tensors, meta), 'torchlet_checkpoint.safetensors byte layout'
        print('torchlet_checkpoint.safetensors: %d tensors, structure as saved, reference byte layout' % len(tensors))
    else:
        ok = False
        print('missing', path)
    return ok


if __name__ == '__main__':
    if '--check' not in sys.argv:
        generate()
    if not check_torchlet():
        print('(run TORCHLET_WRITE_CKPT_FIXTURES=1 node --test dist/test/serialization.test.js to write them)')
