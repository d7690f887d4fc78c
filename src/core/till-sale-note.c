/* till-sale-note.c: complaints and after-sales notes attached to a sale
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-core.h"
