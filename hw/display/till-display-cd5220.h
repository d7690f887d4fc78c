/* till-display-cd5220.h: the driver for a 2×20 VFD in CD5220 mode (DEVICES.md §4.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-pole-display-private.h"

G_BEGIN_DECLS

extern const TillPoleDisplayDriver _till_display_cd5220_driver;

G_END_DECLS
