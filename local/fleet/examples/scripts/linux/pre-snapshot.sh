#!/bin/sh
# Example pre-snapshot script of the demo fleet: a real one would flush and lock an application (e.g. MySQL).
echo "pre-snapshot: run ${QUIESCE_RUN_ID:-?} on ${QUIESCE_VM_ID:-?}"
