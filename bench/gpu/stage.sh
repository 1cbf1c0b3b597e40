#!/usr/bin/env bash
# Stages into .dev/gpu (ignored by git; carried to the GPU machine by the device tool's
# `carry`) everything bench/gpu/run.sh needs there, where there is no node and no network:
#   node.xz           this machine's node binary, xz-compressed (runs on the GPU box's glibc 2.39)
#   node_modules/     gpu.js (without its browser dist/ and nested webgpu), acorn, gpu-mock.js, and webgpu with
#                     only its linux-x64 Dawn binary, xz-compressed
#   build/            the engine (backend, random, tensor, nn, optim) compiled to CommonJS
#   debs/             Debian's Vulkan loader and GL dispatch libraries (Dawn needs them)
# Prints the total size (it must stay under ~60 MiB: the device tool carries 64 MiB in all).
set -euo pipefail
cd "$(dirname "$0")/../.."
G=.dev/gpu
rm -rf "$G"
mkdir -p "$G/node_modules/webgpu/dist/linux-x64" "$G/debs" "$G/build"

echo "node binary"
xz -T0 -6 -c "$(readlink -f "$(command -v node)")" > "$G/node.xz"

echo "node_modules"
cp -r node_modules/gpu.js node_modules/acorn node_modules/gpu-mock.js "$G/node_modules/"
rm -rf "$G/node_modules/gpu.js/dist"
# gpu.js pins webgpu 0.2.9 (nested here, 84 MB, glibc 2.38) but never loads it: rxnn loads its own webgpu.
rm -rf "$G/node_modules/gpu.js/node_modules/webgpu"
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$G/node_modules/webgpu/"
xz -T0 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$G/node_modules/webgpu/dist/linux-x64/dawn.node.xz"

echo "build (tsc src/backend)"
npx tsc --outDir "$G/build" --rootDir . --module node16 --moduleResolution node16 --target es2022 \
  --esModuleInterop --skipLibCheck --strict --types node --lib es2022 \
  src/backend/index.ts src/backend/available.ts src/backend/env.ts \
  src/backend/wasm/gemm-worker.ts src/backend/gpu/webgpu-worker.ts \
  src/random/index.ts src/tensor/index.ts src/nn/index.ts src/optim/index.ts src/train/fit.ts src/data/index.ts

echo "debs"
lists=/tmp/rxnn-apt-amd64
mkdir -p "$lists/partial"
o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$lists"
apt-get $o update -qq
(cd "$G/debs" && apt-get $o download -qq libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2)

du -sh "$G" "$G"/*
total=$(du -sm "$G" | cut -f1)
if [ "$total" -gt 60 ]; then echo "staged $total MiB: over the 60 MiB budget" >&2; exit 1; fi
echo "staged $total MiB in $G"
