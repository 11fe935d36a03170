"""The reference spam classifier of @fleet/model in numpy.

onnxruntime has no Python build on Debian, so the initializers are read with the onnx
package and the graph (packages/model/README.md) is run by hand, in float32 like onnxruntime:
Gather(embedding, ids) * mask -> sum over the sequence / max(sum(mask), 1) -> MatMul + Add ->
Softmax.
"""
import hashlib

import numpy as np
import onnx
from onnx import numpy_helper

from .text import MAX_TOKENS, Tokenizer

LABELS = ("ham", "spam")


class SpamModel:
    def __init__(self, path: str, tokenizer: Tokenizer):
        model = onnx.load(path)
        weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
        self.embedding = weights["embedding"].astype(np.float32)
        self.dense_weight = weights["dense_weight"].astype(np.float32)
        self.dense_bias = weights["dense_bias"].astype(np.float32)
        self.name = model.graph.name
        with open(path, "rb") as f:
            self.sha256 = hashlib.sha256(f.read()).hexdigest()
        self.tokenizer = tokenizer

    def features(self, texts):
        """input_ids int64 [batch, seq] and attention_mask float32, padded to the longest text."""
        rows = [self.tokenizer.ids(t, MAX_TOKENS) for t in texts]
        seq = max([len(r) for r in rows] + [1])
        ids = np.zeros((len(rows), seq), dtype=np.int64)
        mask = np.zeros((len(rows), seq), dtype=np.float32)
        for b, row in enumerate(rows):
            ids[b, : len(row)] = row
            mask[b, : len(row)] = 1.0
        return ids, mask

    def probabilities(self, texts) -> np.ndarray:
        ids, mask = self.features(texts)
        embedded = self.embedding[ids] * mask[:, :, None]
        count = np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1))
        pooled = embedded.sum(axis=1) / count
        logits = pooled @ self.dense_weight + self.dense_bias
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    def predict(self, texts):
        out = []
        for row in self.probabilities(texts):
            probs = {label: float(p) for label, p in zip(LABELS, row)}
            out.append({"label": LABELS[int(np.argmax(row))], "probabilities": probs})
        return out
