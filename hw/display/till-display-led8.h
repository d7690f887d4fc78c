/* till-display-led8.h: the driver for the 8-digit 7-segment LED 客显 (DEVICES.md §4.1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-pole-display-private.h"

G_BEGIN_DECLS

extern const TillPoleDisplayDriver _till_display_led8_driver;

G_END_DECLS
