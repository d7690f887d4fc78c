/* till-scale-adam.h: scale protocol: Adam Equipment AZextra (DEVICES.md §2.2)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-scale-private.h"

G_BEGIN_DECLS

extern const TillScaleProtocol till_scale_protocol_adam;

G_END_DECLS
