/* till-scale-cas.h: scale protocol: CAS PD-II and the CAS continuous indicator format (DEVICES.md
 * §2.3, §2.4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-scale-private.h"

G_BEGIN_DECLS

extern const TillScaleProtocol till_scale_protocol_cas_pd2;
extern const TillScaleProtocol till_scale_protocol_cas;

G_END_DECLS
