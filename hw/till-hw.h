/* till-hw.h: libtill-hw in one include: the ESC/POS encoder and the transports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "till-escpos.h"
#include "till-transport.h"
