#!/bin/sh
# Unknown CALCGEN_ISA and CALCGEN_VARINT values warn once on stderr and fall
# back to the best the CPU runs; known ones are silent.
#   check_env_warnings.sh PROBE   (PROBE prints cg_isa_active and cg_varint_active)
set -eu
probe=$1
out=$(CALCGEN_VARINT=garbage CALCGEN_ISA=nonsense "$probe" 2>&1)
echo "$out"
echo "$out" | grep -q "calcgen: CALCGEN_VARINT=garbage is not a known varint build" || { echo "no CALCGEN_VARINT warning"; exit 1; }
echo "$out" | grep -q "calcgen: CALCGEN_ISA=nonsense is not a known instruction set" || { echo "no CALCGEN_ISA warning"; exit 1; }
[ "$(echo "$out" | grep -c "CALCGEN_VARINT=garbage")" -eq 1 ] || { echo "warned more than once"; exit 1; }
quiet=$(CALCGEN_VARINT=generic CALCGEN_ISA=scalar "$probe" 2>&1)
echo "$quiet"
[ "$quiet" = "scalar generic" ] || { echo "forced values not honoured silently"; exit 1; }
