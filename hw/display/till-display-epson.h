/* till-display-epson.h: the driver for a 2×20 VFD in Epson DM-D mode (DEVICES.md §4.3)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-pole-display-private.h"

G_BEGIN_DECLS

extern const TillPoleDisplayDriver _till_display_epson_driver;

G_END_DECLS
