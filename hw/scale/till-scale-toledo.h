/* till-scale-toledo.h: scale protocol: Mettler-Toledo 8217 (DEVICES.md §2.1)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-scale-private.h"

G_BEGIN_DECLS

extern const TillScaleProtocol till_scale_protocol_toledo_8217;

G_END_DECLS
