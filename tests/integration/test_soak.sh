#!/usr/bin/env bash
# The SIGKILL soak, quick (issue 13; docs/RELIABILITY.md, "Kills and
# power cuts under load"): rekapd killed with SIGKILL at SOAK_CUTS (default 6) random
# moments under a load of signed forms over HTTP (corrections, forms that
# break a HARD rule), and after each restart every acknowledged submission
# is there at its index, the checkpoint extends the last one served
# (consistency proof), and the totals served equal the log's
# (soak_lib.sh). bench/soak.sh runs it long.
# usage: test_soak.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
source "$(dirname "$0")/soak_lib.sh"
soak_run kill "${SOAK_CUTS:-6}"
finish
