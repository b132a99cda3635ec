/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the fuzz targets and the corpus-replay driver. */
#ifndef URSA_FUZZ_H
#define URSA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct ursa_lcore;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/** Bind receivers on the ports the corpus uses (a UDP sink), so delivery paths run too. */
void fuzz_bind_extras(struct ursa_lcore *lc);

#endif
