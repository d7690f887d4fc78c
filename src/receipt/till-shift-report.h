/* till-shift-report.h: the X, shift close (交班/结班) and Z reports on paper
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "till-core.h"
#include "till-escpos.h"

G_BEGIN_DECLS

/* The report on paper, from ESC @ to the cut; NULL profile: 80 mm defaults.
 *
 * Every kind: the title (X report; Shift handover or Shift close; Z report
 * No. n), the store (setting store.name), the till, the times; the sales
 * from gross to net with their counts, the voids, no-sales and drawer
 * openings; each tender taken, refunded and net; the stored-value top-ups by
 * method; the cash from the opening float to the expected cash. A close adds
 * the count by denomination (non-zero rows only), the counted total, the
 * variance with its reason and approver, and the signature lines. A Z adds a
 * row per shift, the sales made outside any shift, and the perpetual grand
 * totals, labelled as never reset. Amounts are right-aligned in fen as
 * yuan ("12.50"); no line is wider than the profile's paper. */
GBytes *till_shift_report_encode (const TillShiftReport    *report,
                                  TillStore                *store,
                                  const TillPrinterProfile *profile) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
