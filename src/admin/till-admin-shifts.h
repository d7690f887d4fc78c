/* till-admin-shifts.h: `opentill-admin shifts` and `opentill-admin z-report`,
 * the till's shifts and its Z reports (日结) for store IT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `opentill-admin shifts [--since YYYY-MM-DD] [--db PATH]`: the till's
 * shifts, newest first: cashier, opened, closed, state, and once counted
 * the sales, expected and counted cash and the variance. @argv[0] is the
 * command's own name. Returns the process exit status (0 ok, 1 failed, 2
 * usage). */
int till_admin_shifts_run (int argc, char **argv);

/* `opentill-admin z-report [N] [--db PATH]`: the last Z report, or Z report
 * N, as text. Exit statuses as above; 1 when there is no such Z. */
int till_admin_z_report_run (int argc, char **argv);

G_END_DECLS
