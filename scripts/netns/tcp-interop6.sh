#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# tcp-interop.sh over IPv6.
TC_FAMILY=6 exec "$(dirname "$0")/tcp-interop.sh"
