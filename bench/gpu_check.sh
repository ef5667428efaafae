#!/usr/bin/env bash
# GPU check (issue 8): on a machine with an NVIDIA GPU, install TensorFlow with CUDA, confirm
# TensorFlow sees the GPU and that the app's LSTM takes the cuDNN path, and time one imdb epoch
# on cuDNN vs use_cudnn=False vs the CPU. Prints one JSON line (last line). Budget: 8 minutes.
#
#   bash bench/gpu_check.sh            # from the repository root
#   GPU_CHECK_DRY=1 bash bench/gpu_check.sh   # no install, a tiny run: tests the script anywhere
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

if [[ -z "${GPU_CHECK_DRY:-}" ]]; then
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >&2 || true
  # The app's requirements, then TensorFlow with its CUDA libraries from pip (no system CUDA needed).
  # Where the machine has no package index, what is already installed is used.
  timeout 300 "$PYTHON" -m pip install -q -r requirements.txt "tensorflow[and-cuda]" >&2 \
    || echo "pip install failed or timed out; using the installed packages" >&2
  exec timeout 420 "$PYTHON" bench/gpu_check.py
fi
exec timeout 420 "$PYTHON" bench/gpu_check.py --dry
