#!/usr/bin/env bash
# The worked example (docs/worked-example.md): 3 seeds of COLT vs IMP vs random pruning on the
# full Fashion-MNIST, LeNet-300-100 then Conv-2, each experiment into this folder's library.
# COLT=... overrides the command (default: node bin/colt.js from the repository root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
colt="${COLT:-node $here/../../bin/colt.js}"
lib="$here/library.sqlite"

start=$(date +%s)
nice -n 10 $colt run --preset quick --seeds 0,1,2 --library "$lib" --json \
  --set name=worked-lenet --set dataset=fashion-mnist \
  --set training.duration=1ep --set stop.maxRounds=8 > "$here/lenet.jsonl"
echo "lenet seconds: $(( $(date +%s) - start ))"

start=$(date +%s)
nice -n 10 $colt run --preset quick --seeds 0,1,2 --library "$lib" --json \
  --set name=worked-conv2 --set arch=conv2 --set dataset=fashion-mnist \
  --set data.trainLimit=3000 --set data.testLimit=1000 \
  --set training.duration=1ep --set pruning.rate=0.3 --set stop.maxRounds=4 > "$here/conv2.jsonl"
echo "conv2 seconds: $(( $(date +%s) - start ))"

# The same LeNet study run further (14 pruning rounds): its rounds 0-8 must equal worked-lenet's.
start=$(date +%s)
nice -n 10 $colt run --preset quick --seeds 0,1,2 --library "$lib" --json \
  --set name=worked-lenet-14 --set dataset=fashion-mnist \
  --set training.duration=1ep --set stop.maxRounds=14 > "$here/lenet-14.jsonl"
echo "lenet-14 seconds: $(( $(date +%s) - start ))"
