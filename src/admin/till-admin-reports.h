/* till-admin-reports.h: `opentill-admin report`, the till's reports for store
 * IT: printed as a table, exported as CSV or XLSX, the chart as PNG or PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `opentill-admin report KIND [--from DAY] [--to DAY] [--period day|week|month]
 * [--limit N] [--csv FILE] [--xlsx FILE] [--png FILE] [--pdf FILE] [--db PATH]`:
 * brings the rollups up to date, runs the report (KIND as
 * till_report_kind_to_string writes it; `report list` names them) and prints
 * it, or writes the files asked for. Returns the exit status. */
int till_admin_report_run (int argc, char **argv);

G_END_DECLS
