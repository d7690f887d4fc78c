/* till-scale-aclas.h: scale protocol: ACLAS 顶尖 OS2X checkout scale (DEVICES.md §2.5)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-scale-private.h"

G_BEGIN_DECLS

extern const TillScaleProtocol till_scale_protocol_aclas;

G_END_DECLS
