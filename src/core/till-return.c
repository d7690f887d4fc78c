/* till-return.c: returns (退货) with and without the receipt, and exchanges
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-core.h"
