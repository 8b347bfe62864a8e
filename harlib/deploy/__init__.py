"""The deployment layer: the cost of a model (:mod:`.efficiency`: parameters, FLOPs,
latency, memory), ONNX export and an onnxruntime classifier (:mod:`.export`), torch against
onnxruntime fp32/INT8 (:mod:`.deployment`) and a recogniser fed sample by sample
(:mod:`.streaming`).
"""
