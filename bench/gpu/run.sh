#!/usr/bin/env bash
# Runs W3 on the lent GPU machine, from the repository root, with what stage.sh put in
# .dev/gpu (that machine has no node and no network). Results go to $OUT (the device
# tool's output folder; /tmp/w3-gpu otherwise): w3-gpu.json, w3-gpu.log, wgsl-check.log,
# torch-cuda.json, summary.txt. Every step is time-boxed; partial results are kept.
set -uo pipefail
cd "$(dirname "$0")/../.."
G=.dev/gpu
OUT=${OUT:-/tmp/w3-gpu}
SIZES=${SIZES:-256,512,1024,2048,4096}
mkdir -p "$OUT"
t0=$(date +%s)
say() { echo "[$(( $(date +%s) - t0 ))s] $*"; }

say "unpacking Vulkan/GL loaders"
for f in "$G"/debs/*.deb; do dpkg -x "$f" /; done
ldconfig
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; break; fi
done
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
[ -f "$egl" ] && export __EGL_VENDOR_LIBRARY_FILENAMES="$egl"
say "VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"

say "unpacking node and Dawn"
xz -dc "$G/node.xz" > /tmp/node && chmod +x /tmp/node
dawn="$G/node_modules/webgpu/dist/linux-x64/dawn.node"
[ -f "$dawn" ] || xz -dc "$dawn.xz" > "$dawn"
/tmp/node --version
(nvidia-smi -L; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv) > "$OUT/nvidia-smi.txt" 2>&1

say "W3 on WebGPU, gpu.js and rxnn (sizes $SIZES)"
RXNN_BUILD="$G/build" NODE_PATH="$G/node_modules" timeout 240 /tmp/node bench/gpu/w3-gpu.cjs "$OUT/w3-gpu.json" "$SIZES" 2>&1 | tee "$OUT/w3-gpu.log"

say "rxnn's gpu backend (webgpu worker bridge), in a process of its own"
ONLY_RXNN_GPU=1 RXNN_BUILD="$G/build" NODE_PATH="$G/node_modules" timeout 90 /tmp/node bench/gpu/w3-gpu.cjs "$OUT/w3-rxnn-gpu.json" "$SIZES" 2>&1 | tee "$OUT/w3-rxnn-gpu.log"

say "tiled WGSL matmul in rxnn's gpu backend (webgpu): checks and timings, in a process of its own"
RXNN_BUILD="$G/build" NODE_PATH="$G/node_modules" timeout 60 /tmp/node bench/gpu/wgsl-check.cjs "$SIZES" 2>&1 | tee "$OUT/wgsl-check.log"

say "W2 training steps and fit epochs on js vs gpu:webgpu (tensors resident on the device)"
RXNN_BUILD="$G/build" NODE_PATH="$G/node_modules" timeout 120 /tmp/node bench/gpu/w2-gpu.cjs "$OUT/w2-gpu.json" 24 2>&1 | tee "$OUT/w2-gpu.log"
say "W2 on gpu:webgpu copying every operand per kernel call (the mode before residency), for comparison"
ONLY_GPU=1 RXNN_WEBGPU_RESIDENT=0 RXNN_BUILD="$G/build" NODE_PATH="$G/node_modules" timeout 60 /tmp/node bench/gpu/w2-gpu.cjs "$OUT/w2-gpu-copy.json" 8 2>&1 | tee "$OUT/w2-gpu-copy.log"

if timeout 30 python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
  say "PyTorch CUDA"
  timeout 100 python3 bench/gpu/torch_cuda.py "$SIZES" > "$OUT/torch-cuda.json" 2> "$OUT/torch-cuda.err"
else
  say "PyTorch CUDA absent: skipped"
fi

/tmp/node bench/gpu/summary.cjs "$OUT/w3-gpu.json" "$OUT/torch-cuda.json" | tee "$OUT/summary.txt"
say "done"
