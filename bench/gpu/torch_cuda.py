"""PyTorch CUDA peer for bench/gpu/run.sh: float32 matmul with TF32 off, as JSON on stdout.

kernel: median ms of torch.mm on resident CUDA tensors (CUDA events, 20 runs after warm-up).
e2e:    median ms from numpy float32 inputs to a numpy result (host->device, mm, device->host).
usage: python3 torch_cuda.py 256,512,1024,2048,4096
"""
import json
import statistics
import sys
import time

import numpy as np
import torch


def main():
    sizes = [int(s) for s in sys.argv[1].split(",")]
    if not torch.cuda.is_available():
        print(json.dumps({"error": "torch.cuda.is_available() is False", "version": torch.__version__}))
        return
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    out = {"version": torch.__version__, "device": torch.cuda.get_device_name(0), "rows": []}
    for n in sizes:
        a = np.random.default_rng(n).standard_normal((n, n), dtype=np.float32)
        b = np.random.default_rng(n + 1).standard_normal((n, n), dtype=np.float32)
        ga, gb = torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()
        for _ in range(3):
            torch.mm(ga, gb)
        torch.cuda.synchronize()
        times = []
        for _ in range(20):
            s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            s.record()
            torch.mm(ga, gb)
            e.record()
            e.synchronize()
            times.append(s.elapsed_time(e))
        ms = statistics.median(times)
        out["rows"].append({"variant": "torch-cuda", "n": n, "what": "kernel", "ms": ms, "tflops": 2 * n ** 3 / (ms * 1e9)})
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            torch.mm(torch.from_numpy(a).cuda(), torch.from_numpy(b).cuda()).cpu().numpy()
            times.append((time.perf_counter() - t0) * 1000)
        ms = statistics.median(times)
        out["rows"].append({"variant": "torch-cuda", "n": n, "what": "e2e", "ms": ms, "tflops": 2 * n ** 3 / (ms * 1e9)})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
