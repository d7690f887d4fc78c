/* till-scale-xk3190.h: scale protocol: 耀华 XK3190 连续方式1 (DEVICES.md §2.6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-scale-private.h"

G_BEGIN_DECLS

extern const TillScaleProtocol till_scale_protocol_xk3190;

G_END_DECLS
