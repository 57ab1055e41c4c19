"""Parameter counts on one convention: the network up to the layer that is scored.

    python tools/param_counts.py                  # the demo profile's models
    python tools/param_counts.py --profile full   # another profile's runnable models

The scale chapter compares models by their number of parameters, so every count must mean
the same thing. The convention: the parameters that compute the **penultimate** layer (the
representation the book scores), without the classifier or task head that follows it.

* TF-Lite models (``litert``): the elements of the weight and bias tensors of every
  convolution and fully connected operator on the way to the penultimate tensor; batch
  normalisation is folded into the convolutions in these files, so it adds no parameters
  of its own.
* timm and PyPI models built by timm: ``sum(p.numel())`` over the model built without its
  classifier (``num_classes=0``); batch normalisation scales and shifts are counted.

It prints ``id, registry params, penultimate params``; the registry's ``params`` column of
the demo's models holds the last number. The data are read through the package, so set
``HUMANALIGN_MIRRORS`` (or ``HUMANALIGN_DATA``) as for the book.
"""

from __future__ import annotations

import argparse

import numpy as np


#: TF-Lite operators that hold weights: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, TRANSPOSE_CONV.
_WEIGHTED = {3, 4, 9, 67}


def litert_count(spec) -> int:
    """Elements of the weight tensors read on the way to the penultimate tensor."""
    from ai_edge_litert.tools import flatbuffer_utils

    from humanalign.fetch import fetch
    from humanalign.models.litert import read_tensor_model
    from humanalign.sources import get_resource

    path = fetch(get_resource(spec.builder))
    content, _ = read_tensor_model(path, spec.layer_module("penultimate"), rank=4)
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(content))
    graph = model.subgraphs[0]
    codes = [max(c.builtinCode, c.deprecatedBuiltinCode) for c in model.operatorCodes]
    # Only operators that carry weights: a reshape's target shape or a mean's axes are
    # stored values too, but no parameters.
    read = {int(i) for op in graph.operators if codes[op.opcodeIndex] in _WEIGHTED for i in op.inputs[1:] if int(i) >= 0}
    total = 0
    for i in read:
        tensor = graph.tensors[i]
        data = model.buffers[tensor.buffer].data if tensor.buffer is not None else None
        if data is not None and len(data):
            total += int(np.prod(tensor.shape)) if len(tensor.shape) else 1
    return total


def timm_count(spec) -> int:
    """Parameters of the timm architecture built without its classifier."""
    import timm

    model = timm.create_model(spec.builder, pretrained=False, num_classes=0)
    return int(sum(p.numel() for p in model.parameters()))


def main(argv: list[str] | None = None) -> int:
    from humanalign.profiles import load_profile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="demo")
    args = parser.parse_args(argv)
    for spec in load_profile(args.profile, check_data=False).specs:
        count = {"litert": litert_count, "pypi": timm_count, "untrained": timm_count}.get(spec.source)
        print(f"{spec.id}\t{spec.params}\t{count(spec) if count else 'n/a'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
