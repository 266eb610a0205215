#!/bin/sh
# Example post-snapshot script of the demo fleet: releases what the pre-snapshot script took.
echo "post-snapshot: run ${QUIESCE_RUN_ID:-?}"
