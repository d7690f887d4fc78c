/* till-sim-private.h: what the simulators share inside libtill-hw-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-transport.h"

G_BEGIN_DECLS

/* The sim:// backend of each simulated device; till-sim-devices.c registers
 * one backend for the scheme and hands each URI to these by its host. */
extern const TillTransportBackend _till_printer_sim_backend;

G_END_DECLS
